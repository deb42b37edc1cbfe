using Granary.Filecoin.Addresses;

namespace Granary.Gateway.Wire;

/// <summary>The request of <c>/fil/storage/ask/1.1.0</c>: <c>{"Miner": address}</c>.</summary>
public sealed record AskRequest(Address Miner)
{
    /// <summary>Largest message read.</summary>
    public const int MaxMessageBytes = 1 << 10;

    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => WireCbor.Encode(w =>
    {
        w.WriteStartMap(1);
        w.WriteTextString("Miner");
        w.WriteAddress(Miner);
        w.WriteEndMap();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    /// <exception cref="MarketsWireException">Malformed.</exception>
    public static AskRequest FromCbor(ReadOnlyMemory<byte> bytes) =>
        new(WireMap.Parse(bytes, "AskRequest").Required("Miner", r => r.ReadAddress()));
}
