using Granary.Filecoin.Addresses;

namespace Granary.Chain.Devnet.Actors;

/// <summary>
/// Power actor <c>CreateMiner</c> (method 2) parameters, go-state-types <c>power.CreateMinerParams</c>:
/// the tuple [Owner, Worker, WindowPoStProofType, Peer, Multiaddrs].
/// </summary>
public sealed record CreateMinerParams(Address Owner, Address Worker, long WindowPoStProofType, byte[] Peer, IReadOnlyList<byte[]> Multiaddrs)
{
    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => Cbor.Encode(w =>
    {
        w.WriteStartArray(5);
        w.Address(Owner);
        w.Address(Worker);
        w.WriteInt64(WindowPoStProofType);
        w.WriteByteString(Peer);
        w.Array(Multiaddrs, (w, m) => w.WriteByteString(m));
        w.WriteEndArray();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    public static CreateMinerParams FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "CreateMinerParams", r =>
    {
        r.Tuple(5, "CreateMinerParams");
        var p = new CreateMinerParams(r.Address("Owner"), r.Address("Worker"), r.Int(), r.Bytes("Peer", MinerAddressLimits.MaxPeerIdBytes),
            r.Array("Multiaddrs", r => r.Bytes("multiaddr", MinerAddressLimits.MaxMultiaddrBytes)));
        r.End();
        return p;
    });
}

/// <summary><c>CreateMiner</c>'s return: [IDAddress, RobustAddress].</summary>
public sealed record CreateMinerReturn(Address IdAddress, Address RobustAddress)
{
    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => Cbor.Encode(w =>
    {
        w.WriteStartArray(2);
        w.Address(IdAddress);
        w.Address(RobustAddress);
        w.WriteEndArray();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    public static CreateMinerReturn FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "CreateMinerReturn", r =>
    {
        r.Tuple(2, "CreateMinerReturn");
        var p = new CreateMinerReturn(r.Address("IDAddress"), r.Address("RobustAddress"));
        r.End();
        return p;
    });
}

/// <summary>Limits on what a miner publishes about its markets node (builtin-actors policy).</summary>
public static class MinerAddressLimits
{
    /// <summary><c>MaxPeerIDLength</c>.</summary>
    public const int MaxPeerIdBytes = 128;

    /// <summary><c>MaxMultiaddrData</c>: all multiaddrs together.</summary>
    public const int MaxMultiaddrBytes = 1024;
}
