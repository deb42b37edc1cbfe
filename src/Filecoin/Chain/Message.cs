using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Tokens;

namespace Granary.Filecoin.Chain;

/// <summary>A Filecoin message: a 10-tuple on chain, named by the blake2b-256 DAG-CBOR CID of its bytes.</summary>
public sealed record Message(
    ulong Version, Address To, Address From, ulong Nonce, TokenAmount Value, long GasLimit,
    TokenAmount GasFeeCap, TokenAmount GasPremium, ulong Method, byte[] Params)
{
    /// <summary>
    /// Largest params accepted when reading. Filecoin caps a whole message at 64 KiB; Granary's vanilla (not
    /// SNARK-compressed) seal proof of an 8 MiB sector is ≈ 109 KB, so the devnet takes params up to 256 KiB.
    /// </summary>
    public const int MaxParamsBytes = 256 << 10;

    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor()
    {
        var w = DagCbor.Writer();
        Write(w);
        return w.Encode();
    }

    /// <summary>The message CID (what a secp256k1 sender signs).</summary>
    public Cid Cid() => DagCbor.CidOf(ToCbor());

    /// <summary>Reads the CBOR bytes.</summary>
    /// <exception cref="FilecoinFormatException">Malformed, non-canonical, oversized or trailing bytes.</exception>
    public static Message FromCbor(ReadOnlyMemory<byte> bytes)
    {
        var r = DagCbor.Reader(bytes);
        var message = Read(r);
        r.ExpectEnd("message");
        return message;
    }

    internal void Write(System.Formats.Cbor.CborWriter w)
    {
        w.WriteStartArray(10);
        w.WriteUInt64(Version);
        w.WriteAddress(To);
        w.WriteAddress(From);
        w.WriteUInt64(Nonce);
        w.WriteAmount(Value);
        w.WriteInt64(GasLimit);
        w.WriteAmount(GasFeeCap);
        w.WriteAmount(GasPremium);
        w.WriteUInt64(Method);
        w.WriteByteString(Params);
        w.WriteEndArray();
    }

    internal static Message Read(System.Formats.Cbor.CborReader r)
    {
        r.ReadTuple(10, "message");
        var message = new Message(r.UInt(), r.ReadAddress("To"), r.ReadAddress("From"), r.UInt(), r.ReadAmount("Value"), r.Int(),
            r.ReadAmount("GasFeeCap"), r.ReadAmount("GasPremium"), r.UInt(), r.Bytes("Params", MaxParamsBytes));
        DagCbor.Guard(() => { r.ReadEndArray(); return 0; });
        return message;
    }
}
