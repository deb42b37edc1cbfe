using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Chain.Model;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Json;

/// <summary>
/// A proven sector as Lotus's <c>miner.SectorOnChainInfo</c>: <c>SectorNumber, SealProof, SealedCID, Activation,
/// Expiration, InitialPledge</c> from the model, <c>DealIDs</c> as actors before v13 had it (read when present,
/// empty otherwise), and Lotus's other fields written as zero: <c>DealWeight</c>, <c>VerifiedDealWeight</c>,
/// <c>ExpectedDayReward</c>, <c>ExpectedStoragePledge</c>, <c>ReplacedDayReward</c>, <c>DailyFee</c> "0",
/// <c>PowerBaseEpoch</c> the activation, <c>SectorKeyCID</c> null, <c>Flags</c> 0.
/// </summary>
public sealed class SectorOnChainInfoJsonConverter : JsonConverter<SectorOnChainInfo>
{
    /// <inheritdoc />
    public override SectorOnChainInfo Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var o = LotusObject.Read(ref reader, "SectorOnChainInfo", options);
        return new SectorOnChainInfo(o.Required<ulong>("SectorNumber"), o.Required<long>("SealProof"), o.Required<Cid>("SealedCID"),
            o.List<ulong>("DealIDs"), o.Required<long>("Activation"), o.Required<long>("Expiration"), o.Optional<TokenAmount>("InitialPledge"));
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, SectorOnChainInfo value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("SectorNumber", value.SectorNumber);
        writer.WriteNumber("SealProof", value.SealProof);
        writer.WritePropertyName("SealedCID");
        JsonSerializer.Serialize(writer, value.SealedCid, options);
        writer.WritePropertyName("DealIDs");
        JsonSerializer.Serialize(writer, value.DealIds, options);
        writer.WriteNumber("Activation", value.Activation);
        writer.WriteNumber("Expiration", value.Expiration);
        writer.WriteString("DealWeight", "0");
        writer.WriteString("VerifiedDealWeight", "0");
        writer.WritePropertyName("InitialPledge");
        JsonSerializer.Serialize(writer, value.InitialPledge, options);
        writer.WriteString("ExpectedDayReward", "0");
        writer.WriteString("ExpectedStoragePledge", "0");
        writer.WriteNumber("PowerBaseEpoch", value.Activation);
        writer.WriteString("ReplacedDayReward", "0");
        writer.WriteNull("SectorKeyCID");
        writer.WriteNumber("Flags", 0);
        writer.WriteString("DailyFee", "0");
        writer.WriteEndObject();
    }
}
