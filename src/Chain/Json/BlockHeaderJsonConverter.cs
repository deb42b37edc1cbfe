using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Cids;

namespace Granary.Chain.Json;

/// <summary>
/// A block header with Lotus's <c>types.BlockHeader</c> field names. The fields the model has are read and
/// written (<c>Miner</c>, <c>Ticket.VRFProof</c>, <c>Parents</c> via the tipset, <c>Height</c>,
/// <c>ParentStateRoot</c>, <c>Messages</c>, <c>Timestamp</c>); Lotus's others are written as empty or zero
/// values of the right shape so Lotus's own client parses the header, and ignored when read:
/// <c>ElectionProof</c>, <c>BLSAggregate</c> and <c>BlockSig</c> null, <c>BeaconEntries</c> and
/// <c>WinPoStProof</c> empty, <c>ParentWeight</c> "0", <c>ForkSignaling</c> 0, <c>ParentBaseFee</c> "100"
/// (Lotus's minimum base fee) and <c>ParentMessageReceipts</c> the CID of an empty DAG-CBOR list.
/// </summary>
public sealed class BlockHeaderJsonConverter : JsonConverter<BlockHeader>
{
    /// <summary>The <c>ParentMessageReceipts</c> written: the DAG-CBOR CID of <c>[]</c> (the devnet has no receipts AMT).</summary>
    public static Cid EmptyReceipts { get; } = DagCbor.CidOf([0x80]);

    /// <summary>Longest ticket read.</summary>
    public const int MaxTicketBytes = 256;

    /// <inheritdoc />
    public override BlockHeader Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var o = LotusObject.Read(ref reader, "BlockHeader", options);
        return Read(o).Block;
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, BlockHeader value, JsonSerializerOptions options) =>
        Write(writer, value, new TipSetKey([]), options);

    /// <summary>Reads a header and its <c>Parents</c> (which the model keeps on the tipset).</summary>
    internal static (BlockHeader Block, TipSetKey Parents) Read(LotusObject o)
    {
        var ticket = Array.Empty<byte>();
        if (o.Has("Ticket"))
        {
            var element = o.Element("Ticket");
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw o.Error("Ticket is {\"VRFProof\": base64}");
            }

            if (element.TryGetProperty("VRFProof", out var proof) && proof.ValueKind != JsonValueKind.Null)
            {
                ticket = proof.ValueKind == JsonValueKind.String && proof.TryGetBytesFromBase64(out var bytes)
                    ? bytes
                    : throw o.Error("Ticket.VRFProof is a base64 string");
            }
        }

        if (ticket.Length > MaxTicketBytes)
        {
            throw o.Error($"Ticket.VRFProof is longer than {MaxTicketBytes} bytes");
        }

        var block = new BlockHeader(o.Required<Address>("Miner"), ticket, o.Required<long>("Height"), o.Optional<ulong>("Timestamp"),
            o.Required<Cid>("ParentStateRoot"), o.Required<Cid>("Messages"));
        return (block, o.Optional<TipSetKey>("Parents") ?? new TipSetKey([]));
    }

    /// <summary>Writes a header with the tipset's parents.</summary>
    internal static void Write(Utf8JsonWriter writer, BlockHeader value, TipSetKey parents, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("Miner");
        JsonSerializer.Serialize(writer, value.Miner, options);
        writer.WriteStartObject("Ticket");
        writer.WriteBase64String("VRFProof", value.Ticket);
        writer.WriteEndObject();
        writer.WriteNull("ElectionProof");
        writer.WriteStartArray("BeaconEntries");
        writer.WriteEndArray();
        writer.WriteStartArray("WinPoStProof");
        writer.WriteEndArray();
        writer.WritePropertyName("Parents");
        JsonSerializer.Serialize(writer, parents, options);
        writer.WriteString("ParentWeight", "0");
        writer.WriteNumber("Height", value.Height);
        writer.WritePropertyName("ParentStateRoot");
        JsonSerializer.Serialize(writer, value.ParentStateRoot, options);
        writer.WritePropertyName("ParentMessageReceipts");
        JsonSerializer.Serialize(writer, EmptyReceipts, options);
        writer.WritePropertyName("Messages");
        JsonSerializer.Serialize(writer, value.Messages, options);
        writer.WriteNull("BLSAggregate");
        writer.WriteNumber("Timestamp", value.Timestamp);
        writer.WriteNull("BlockSig");
        writer.WriteNumber("ForkSignaling", 0);
        writer.WriteString("ParentBaseFee", "100");
        writer.WriteEndObject();
    }
}
