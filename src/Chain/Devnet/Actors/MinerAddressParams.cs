using Granary.Filecoin.Addresses;

namespace Granary.Chain.Devnet.Actors;

/// <summary>Miner <c>ChangePeerID</c> (method 4): [NewID].</summary>
public sealed record ChangePeerIdParams(byte[] NewId)
{
    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => Cbor.Encode(w =>
    {
        w.WriteStartArray(1);
        w.WriteByteString(NewId);
        w.WriteEndArray();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    public static ChangePeerIdParams FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "ChangePeerIDParams", r =>
    {
        r.Tuple(1, "ChangePeerIDParams");
        var p = new ChangePeerIdParams(r.Bytes("NewID", MinerAddressLimits.MaxPeerIdBytes));
        r.End();
        return p;
    });
}

/// <summary>Miner <c>ChangeMultiaddrs</c> (method 18): [[multiaddr bytes...]].</summary>
public sealed record ChangeMultiaddrsParams(IReadOnlyList<byte[]> NewMultiaddrs)
{
    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => Cbor.Encode(w =>
    {
        w.WriteStartArray(1);
        w.Array(NewMultiaddrs, (w, m) => w.WriteByteString(m));
        w.WriteEndArray();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    public static ChangeMultiaddrsParams FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "ChangeMultiaddrsParams", r =>
    {
        r.Tuple(1, "ChangeMultiaddrsParams");
        var p = new ChangeMultiaddrsParams(r.Array("NewMultiaddrs", r => r.Bytes("multiaddr", MinerAddressLimits.MaxMultiaddrBytes)));
        r.End();
        return p;
    });
}

/// <summary>Miner <c>ChangeWorkerAddress</c> (method 3): [NewWorker, NewControlAddrs].</summary>
public sealed record ChangeWorkerAddressParams(Address NewWorker, IReadOnlyList<Address> NewControlAddrs)
{
    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => Cbor.Encode(w =>
    {
        w.WriteStartArray(2);
        w.Address(NewWorker);
        w.Array(NewControlAddrs, (w, a) => w.Address(a));
        w.WriteEndArray();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    public static ChangeWorkerAddressParams FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "ChangeWorkerAddressParams", r =>
    {
        r.Tuple(2, "ChangeWorkerAddressParams");
        var p = new ChangeWorkerAddressParams(r.Address("NewWorker"), r.Array("NewControlAddrs", r => r.Address("control address"), 10));
        r.End();
        return p;
    });
}

/// <summary>Miner <c>WithdrawBalance</c> (method 16): [AmountRequested]; returns the amount withdrawn.</summary>
public sealed record WithdrawBalanceParams(Filecoin.Tokens.TokenAmount AmountRequested)
{
    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => Cbor.Encode(w =>
    {
        w.WriteStartArray(1);
        w.Amount(AmountRequested);
        w.WriteEndArray();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    public static WithdrawBalanceParams FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "WithdrawBalanceParams", r =>
    {
        r.Tuple(1, "WithdrawBalanceParams");
        var p = new WithdrawBalanceParams(r.Amount("AmountRequested"));
        r.End();
        return p;
    });
}
