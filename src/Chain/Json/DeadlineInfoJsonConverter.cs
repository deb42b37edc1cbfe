using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Chain.Model;

namespace Granary.Chain.Json;

/// <summary>A proving deadline as Lotus's <c>dline.Info</c>: exactly its twelve fields, not the model's derived ones.</summary>
public sealed class DeadlineInfoJsonConverter : JsonConverter<DeadlineInfo>
{
    /// <inheritdoc />
    public override DeadlineInfo Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var o = LotusObject.Read(ref reader, "DeadlineInfo", options);
        return new DeadlineInfo(
            o.Required<long>("CurrentEpoch"), o.Required<long>("PeriodStart"), o.Required<ulong>("Index"), o.Required<long>("Open"),
            o.Required<long>("Close"), o.Required<long>("Challenge"), o.Required<long>("FaultCutoff"),
            o.Required<long>("WPoStPeriodDeadlines"), o.Required<long>("WPoStProvingPeriod"), o.Required<long>("WPoStChallengeWindow"),
            o.Required<long>("WPoStChallengeLookback"), o.Required<long>("FaultDeclarationCutoff"));
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DeadlineInfo value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("CurrentEpoch", value.CurrentEpoch);
        writer.WriteNumber("PeriodStart", value.PeriodStart);
        writer.WriteNumber("Index", value.Index);
        writer.WriteNumber("Open", value.Open);
        writer.WriteNumber("Close", value.Close);
        writer.WriteNumber("Challenge", value.Challenge);
        writer.WriteNumber("FaultCutoff", value.FaultCutoff);
        writer.WriteNumber("WPoStPeriodDeadlines", value.WPoStPeriodDeadlines);
        writer.WriteNumber("WPoStProvingPeriod", value.WPoStProvingPeriod);
        writer.WriteNumber("WPoStChallengeWindow", value.WPoStChallengeWindow);
        writer.WriteNumber("WPoStChallengeLookback", value.WPoStChallengeLookback);
        writer.WriteNumber("FaultDeclarationCutoff", value.FaultDeclarationCutoff);
        writer.WriteEndObject();
    }
}
