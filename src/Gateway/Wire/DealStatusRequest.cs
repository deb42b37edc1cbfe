using Granary.Filecoin.Crypto;

namespace Granary.Gateway.Wire;

/// <summary>
/// Boost's <c>DealStatusRequest</c> (map-encoded; wire key order DealUUID, Signature): the client's wallet signature
/// over the UUID's 16 bytes (<c>uuid.MarshalBinary()</c>).
/// </summary>
public sealed record DealStatusRequest(Guid DealUuid, Signature Signature)
{
    /// <summary>Largest message read.</summary>
    public const int MaxMessageBytes = 4 << 10;

    /// <summary>The bytes the client signs: the UUID in RFC 4122 order.</summary>
    public static byte[] SignedBytes(Guid uuid) => uuid.ToByteArray(bigEndian: true);

    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => WireCbor.Encode(w =>
    {
        w.WriteStartMap(2);
        w.WriteTextString("DealUUID");
        w.WriteUuid(DealUuid);
        w.WriteTextString("Signature");
        w.WriteSignature(Signature);
        w.WriteEndMap();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    /// <exception cref="MarketsWireException">Malformed.</exception>
    public static DealStatusRequest FromCbor(ReadOnlyMemory<byte> bytes)
    {
        var map = WireMap.Parse(bytes, "DealStatusRequest");
        return new DealStatusRequest(map.Required("DealUUID", r => r.ReadUuid()), map.Required("Signature", r => r.ReadSignature()));
    }
}
