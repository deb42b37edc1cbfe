using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Json;

/// <summary>
/// A deal proposal as Lotus's <c>market.DealProposal</c>: <c>PieceCID, PieceSize, VerifiedDeal, Client, Provider,
/// Label, StartEpoch, EndEpoch, StoragePricePerEpoch, ProviderCollateral, ClientCollateral</c>. Lotus writes a text
/// label as a string and refuses to write a bytes label; here a bytes label is written in dag-json's bytes form
/// <c>{"/": {"bytes": base64}}</c>, so the deal stays readable and round-trips.
/// </summary>
public sealed class DealProposalJsonConverter : JsonConverter<DealProposal>
{
    /// <inheritdoc />
    public override DealProposal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var o = LotusObject.Read(ref reader, "DealProposal", options);
        return new DealProposal(o.Required<Cid>("PieceCID"), o.Required<long>("PieceSize"), o.Optional<bool>("VerifiedDeal"),
            o.Required<Address>("Client"), o.Required<Address>("Provider"), ReadLabel(o), o.Required<long>("StartEpoch"),
            o.Required<long>("EndEpoch"), o.Optional<TokenAmount>("StoragePricePerEpoch"), o.Optional<TokenAmount>("ProviderCollateral"),
            o.Optional<TokenAmount>("ClientCollateral"));
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DealProposal value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("PieceCID");
        JsonSerializer.Serialize(writer, value.PieceCid, options);
        writer.WriteNumber("PieceSize", value.PieceSize);
        writer.WriteBoolean("VerifiedDeal", value.VerifiedDeal);
        writer.WritePropertyName("Client");
        JsonSerializer.Serialize(writer, value.Client, options);
        writer.WritePropertyName("Provider");
        JsonSerializer.Serialize(writer, value.Provider, options);
        if (value.Label.Bytes is { } bytes)
        {
            writer.WriteStartObject("Label");
            writer.WriteStartObject("/");
            writer.WriteBase64String("bytes", bytes);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteString("Label", value.Label.Text);
        }

        writer.WriteNumber("StartEpoch", value.StartEpoch);
        writer.WriteNumber("EndEpoch", value.EndEpoch);
        writer.WritePropertyName("StoragePricePerEpoch");
        JsonSerializer.Serialize(writer, value.StoragePricePerEpoch, options);
        writer.WritePropertyName("ProviderCollateral");
        JsonSerializer.Serialize(writer, value.ProviderCollateral, options);
        writer.WritePropertyName("ClientCollateral");
        JsonSerializer.Serialize(writer, value.ClientCollateral, options);
        writer.WriteEndObject();
    }

    private static DealLabel ReadLabel(LotusObject o)
    {
        if (!o.Has("Label"))
        {
            return DealLabel.Empty;
        }

        var label = o.Element("Label");
        try
        {
            if (label.ValueKind == JsonValueKind.String)
            {
                return DealLabel.FromString(label.GetString()!);
            }

            if (label.ValueKind == JsonValueKind.Object && label.TryGetProperty("/", out var slash) && slash.ValueKind == JsonValueKind.Object
                && slash.TryGetProperty("bytes", out var b64) && b64.ValueKind == JsonValueKind.String && b64.TryGetBytesFromBase64(out var bytes))
            {
                return DealLabel.FromBytes(bytes);
            }
        }
        catch (FormatException e)
        {
            throw o.Error($"Label: {e.Message}");
        }

        throw o.Error("Label is a string (or {\"/\": {\"bytes\": base64}} for a bytes label)");
    }
}
