using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Cbor;

namespace Granary.Gateway.Wire;

/// <summary>
/// Boost's <c>DealParams</c>, the request of <c>/fil/storage/mk/1.2.x</c> (map-encoded; wire key order DealUUID,
/// Transfer, IsOffline, DealDataRoot, SkipIPNIAnnounce, ClientDealProposal, RemoveUnsealedCopy). mk/1.2.0 clients
/// send no <c>SkipIPNIAnnounce</c> and <c>RemoveUnsealedCopy</c>; those read as false.
/// </summary>
public sealed record DealParams(
    Guid DealUuid, bool IsOffline, ClientDealProposal ClientDealProposal, Cid DealDataRoot, DealTransfer Transfer,
    bool RemoveUnsealedCopy, bool SkipIpniAnnounce)
{
    /// <summary>Largest message read: room for cbor-gen's largest byte string (the transfer params) and the rest.</summary>
    public const int MaxMessageBytes = WireCbor.MaxByteStringBytes + (64 << 10);

    /// <summary>The CBOR bytes, in cbor-gen's order.</summary>
    public byte[] ToCbor() => WireCbor.Encode(w =>
    {
        w.WriteStartMap(7);
        w.WriteTextString("DealUUID");
        w.WriteUuid(DealUuid);
        w.WriteTextString("IsOffline");
        w.WriteBoolean(IsOffline);
        w.WriteTextString("ClientDealProposal");
        w.WriteEncodedValue(ClientDealProposal.ToCbor());
        w.WriteTextString("DealDataRoot");
        w.WriteCid(DealDataRoot);
        w.WriteTextString("Transfer");
        Transfer.Write(w);
        w.WriteTextString("RemoveUnsealedCopy");
        w.WriteBoolean(RemoveUnsealedCopy);
        w.WriteTextString("SkipIPNIAnnounce");
        w.WriteBoolean(SkipIpniAnnounce);
        w.WriteEndMap();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    /// <exception cref="MarketsWireException">Malformed or oversized.</exception>
    public static DealParams FromCbor(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.Length > MaxMessageBytes)
        {
            throw new MarketsWireException(MarketsWireError.Oversized, $"DealParams of {bytes.Length} bytes is larger than {MaxMessageBytes}");
        }

        var map = WireMap.Parse(bytes, "DealParams");
        return new DealParams(
            map.Required("DealUUID", r => r.ReadUuid()),
            map.Required("IsOffline", r => r.ReadBool()),
            map.Required("ClientDealProposal", r => r.ReadClientDealProposal()),
            map.Required("DealDataRoot", r => r.ReadLink()),
            map.Optional("Transfer", DealTransfer.None, DealTransfer.Read),
            map.Optional("RemoveUnsealedCopy", false, r => r.ReadBool()),
            map.Optional("SkipIPNIAnnounce", false, r => r.ReadBool()));
    }
}
