using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Encoding;

namespace Granary.Chain.Json;

/// <summary>
/// A miner's info as Lotus's <c>api.MinerInfo</c>. <c>PeerId</c> is the peer id's text as go-libp2p prints it
/// (base58btc of the multihash, <c>12D3KooW…</c>; a CIDv1 <c>libp2p-key</c> is accepted too) or null;
/// <c>Multiaddrs</c> are the binary multiaddrs in base64. The fields the model lacks are written as Lotus writes a
/// miner with no pending changes: <c>NewWorker</c> <c>"&lt;empty&gt;"</c> (go-address's undefined address),
/// <c>WorkerChangeEpoch</c> and <c>ConsensusFaultElapsed</c> -1, <c>PendingOwnerAddress</c> and
/// <c>PendingBeneficiaryTerm</c> null, <c>Beneficiary</c> the owner with a zero <c>BeneficiaryTerm</c>.
/// </summary>
public sealed class MinerInfoJsonConverter : JsonConverter<MinerInfo>
{
    /// <summary>Longest peer id read, in bytes.</summary>
    public const int MaxPeerIdBytes = 128;

    /// <summary>Longest multiaddr read, in bytes.</summary>
    public const int MaxMultiaddrBytes = 1024;

    private const ulong Libp2pKeyCodec = 0x72;

    /// <inheritdoc />
    public override MinerInfo Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var o = LotusObject.Read(ref reader, "MinerInfo", options);
        byte[]? peerId = o.Has("PeerId") ? DecodePeerId(o, o.Required<string>("PeerId")) : null;
        var multiaddrs = o.List<byte[]>("Multiaddrs");
        if (multiaddrs.Any(m => m.Length > MaxMultiaddrBytes))
        {
            throw o.Error($"a multiaddr is longer than {MaxMultiaddrBytes} bytes");
        }

        return new MinerInfo(o.Required<Address>("Owner"), o.Required<Address>("Worker"), peerId, multiaddrs,
            o.Required<ulong>("SectorSize"), o.Optional<ulong>("WindowPoStPartitionSectors"), o.Optional<long>("WindowPoStProofType"),
            o.List<Address>("ControlAddresses"));
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, MinerInfo value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("Owner");
        JsonSerializer.Serialize(writer, value.Owner, options);
        writer.WritePropertyName("Worker");
        JsonSerializer.Serialize(writer, value.Worker, options);
        writer.WriteString("NewWorker", "<empty>");
        writer.WritePropertyName("ControlAddresses");
        JsonSerializer.Serialize(writer, value.ControlAddresses, options);
        writer.WriteNumber("WorkerChangeEpoch", -1);
        if (value.PeerId is { } peerId)
        {
            writer.WriteString("PeerId", Base58.Encode(peerId));
        }
        else
        {
            writer.WriteNull("PeerId");
        }

        writer.WritePropertyName("Multiaddrs");
        JsonSerializer.Serialize(writer, value.Multiaddrs, options);
        writer.WriteNumber("WindowPoStProofType", value.WindowPoStProofType);
        writer.WriteNumber("SectorSize", value.SectorSize);
        writer.WriteNumber("WindowPoStPartitionSectors", value.WindowPoStPartitionSectors);
        writer.WriteNumber("ConsensusFaultElapsed", -1);
        writer.WriteNull("PendingOwnerAddress");
        writer.WritePropertyName("Beneficiary");
        JsonSerializer.Serialize(writer, value.Owner, options);
        writer.WriteStartObject("BeneficiaryTerm");
        writer.WriteString("Quota", "0");
        writer.WriteString("UsedQuota", "0");
        writer.WriteNumber("Expiration", 0);
        writer.WriteEndObject();
        writer.WriteNull("PendingBeneficiaryTerm");
        writer.WriteEndObject();
    }

    /// <summary>A peer id's bytes from its text, as go-libp2p's <c>peer.Decode</c>: base58btc, or a libp2p-key CIDv1.</summary>
    private static byte[] DecodePeerId(LotusObject o, string text)
    {
        if (text.Length is 0 or > 2 * MaxPeerIdBytes)
        {
            throw o.Error("PeerId is empty or too long");
        }

        try
        {
            if (!text.StartsWith("Qm", StringComparison.Ordinal) && !text.StartsWith('1') && text[0] is 'b' or 'B' or 'z'
                && TryParseCid(text) is { Codec: Libp2pKeyCodec } cid)
            {
                return cid.Hash.ToBytes();
            }

            var bytes = Base58.Decode(text);
            return bytes.Length <= MaxPeerIdBytes ? bytes : throw o.Error($"PeerId is longer than {MaxPeerIdBytes} bytes");
        }
        catch (FormatException e)
        {
            throw o.Error($"PeerId '{CidJsonConverter.Shorten(text)}' is not a peer id: {e.Message}");
        }
    }

    private static Cid? TryParseCid(string text)
    {
        try
        {
            return Cid.Parse(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
