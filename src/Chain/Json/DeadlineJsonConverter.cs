using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Chain.Model;

namespace Granary.Chain.Json;

/// <summary>A deadline as Lotus's <c>api.Deadline</c>: <c>PostSubmissions</c>, <c>DisputableProofCount</c>, and <c>DailyFee</c> written as "0" (the devnet charges none).</summary>
public sealed class DeadlineJsonConverter : JsonConverter<Deadline>
{
    /// <inheritdoc />
    public override Deadline Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var o = LotusObject.Read(ref reader, "Deadline", options);
        return new Deadline(o.Required<BitField>("PostSubmissions"), o.Optional<ulong>("DisputableProofCount"));
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Deadline value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("PostSubmissions");
        JsonSerializer.Serialize(writer, value.PostSubmissions, options);
        writer.WriteNumber("DisputableProofCount", value.DisputableProofCount);
        writer.WriteString("DailyFee", "0");
        writer.WriteEndObject();
    }
}
