using Granary.Filecoin.Cbor;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;

namespace Granary.Filecoin.Chain;

/// <summary>A message and its sender's signature: a 2-tuple on chain.</summary>
public sealed record SignedMessage(Message Message, Signature Signature)
{
    /// <summary>Signs a message with a secp256k1 key: the signature covers the message CID's bytes.</summary>
    public static SignedMessage SignSecp256k1(Message message, ReadOnlySpan<byte> privateKey) =>
        new(message, Secp256k1.Sign(privateKey, message.Cid().ToBytes()));

    /// <summary>True if the signature is the sender's over the message CID.</summary>
    public bool VerifySignature() => Secp256k1.Verify(Signature, Message.Cid().ToBytes(), Message.From);

    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor()
    {
        var w = DagCbor.Writer();
        w.WriteStartArray(2);
        Message.Write(w);
        w.WriteByteString(Signature.ToBytes());
        w.WriteEndArray();
        return w.Encode();
    }

    /// <summary>The CID: of the signed message for secp256k1, of the bare message for BLS (as Lotus names them).</summary>
    public Cid Cid() => Signature.Type == SignatureType.Bls ? Message.Cid() : DagCbor.CidOf(ToCbor());

    /// <summary>Reads the CBOR bytes.</summary>
    public static SignedMessage FromCbor(ReadOnlyMemory<byte> bytes)
    {
        var r = DagCbor.Reader(bytes);
        r.ReadTuple(2, "signed message");
        var message = Message.Read(r);
        var signature = Signature.FromBytes(r.Bytes("Signature", 200));
        DagCbor.Guard(() => { r.ReadEndArray(); return 0; });
        r.ExpectEnd("signed message");
        return new SignedMessage(message, signature);
    }
}
