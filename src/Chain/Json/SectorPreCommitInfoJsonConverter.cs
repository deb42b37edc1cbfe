using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Chain.Model;
using Granary.Filecoin.Cids;

namespace Granary.Chain.Json;

/// <summary>
/// A pre-commit as Lotus's <c>miner.SectorPreCommitInfo</c>: <c>SealProof, SectorNumber, SealedCID,
/// SealRandEpoch, DealIDs, Expiration, UnsealedCid</c> (Lotus's capitalisation, <c>UnsealedCid</c> null for
/// committed capacity).
/// </summary>
public sealed class SectorPreCommitInfoJsonConverter : JsonConverter<SectorPreCommitInfo>
{
    /// <inheritdoc />
    public override SectorPreCommitInfo Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var o = LotusObject.Read(ref reader, "SectorPreCommitInfo", options);
        return new SectorPreCommitInfo(o.Required<long>("SealProof"), o.Required<ulong>("SectorNumber"), o.Required<Cid>("SealedCID"),
            o.Required<long>("SealRandEpoch"), o.List<ulong>("DealIDs"), o.Required<long>("Expiration"), o.Optional<Cid>("UnsealedCid"));
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, SectorPreCommitInfo value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("SealProof", value.SealProof);
        writer.WriteNumber("SectorNumber", value.SectorNumber);
        writer.WritePropertyName("SealedCID");
        JsonSerializer.Serialize(writer, value.SealedCid, options);
        writer.WriteNumber("SealRandEpoch", value.SealRandEpoch);
        writer.WritePropertyName("DealIDs");
        JsonSerializer.Serialize(writer, value.DealIds, options);
        writer.WriteNumber("Expiration", value.Expiration);
        writer.WritePropertyName("UnsealedCid");
        JsonSerializer.Serialize(writer, value.UnsealedCid, options);
        writer.WriteEndObject();
    }
}
