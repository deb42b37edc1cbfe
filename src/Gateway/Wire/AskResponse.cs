namespace Granary.Gateway.Wire;

/// <summary>The response of <c>/fil/storage/ask/1.1.0</c>: <c>{"Ask": SignedStorageAsk | null}</c> (null when the request names another miner).</summary>
public sealed record AskResponse(SignedStorageAsk? Ask)
{
    /// <summary>Largest message read.</summary>
    public const int MaxMessageBytes = 4 << 10;

    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => WireCbor.Encode(w =>
    {
        w.WriteStartMap(1);
        w.WriteTextString("Ask");
        if (Ask is null)
        {
            w.WriteNull();
        }
        else
        {
            Ask.Write(w);
        }

        w.WriteEndMap();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    /// <exception cref="MarketsWireException">Malformed.</exception>
    public static AskResponse FromCbor(ReadOnlyMemory<byte> bytes) =>
        new(WireMap.Parse(bytes, "AskResponse").Optional("Ask", null, r => r.ReadNullable(SignedStorageAsk.Read)));
}
