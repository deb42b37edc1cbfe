using System.Formats.Cbor;

namespace Granary.Gateway.Wire;

/// <summary>One retrieval transport: its name (<c>libp2p</c>, <c>http</c>, <c>https</c>, <c>bitswap</c>) and binary multiaddrs.</summary>
public sealed record TransportProtocol(string Name, IReadOnlyList<byte[]> Addresses);

/// <summary>
/// The response of <c>/fil/retrieval/transports/1.0.0</c>, Boost's IPLD schema <c>QueryResponse { Protocols [Protocol] }</c>
/// in DAG-CBOR map representation: <c>{"Protocols":[{"Name":"http","Addresses":[h'…']}]}</c>.
/// </summary>
public sealed record TransportsResponse(IReadOnlyList<TransportProtocol> Protocols)
{
    /// <summary>Largest message read.</summary>
    public const int MaxMessageBytes = 64 << 10;

    /// <summary>Most protocols and addresses read.</summary>
    public const int MaxItems = 64;

    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => WireCbor.Encode(w =>
    {
        w.WriteStartMap(1);
        w.WriteTextString("Protocols");
        w.WriteStartArray(Protocols.Count);
        foreach (var protocol in Protocols)
        {
            w.WriteStartMap(2);
            w.WriteTextString("Name");
            w.WriteTextString(protocol.Name);
            w.WriteTextString("Addresses");
            w.WriteStartArray(protocol.Addresses.Count);
            foreach (var address in protocol.Addresses)
            {
                w.WriteByteString(address);
            }

            w.WriteEndArray();
            w.WriteEndMap();
        }

        w.WriteEndArray();
        w.WriteEndMap();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    /// <exception cref="MarketsWireException">Malformed.</exception>
    public static TransportsResponse FromCbor(ReadOnlyMemory<byte> bytes) =>
        new(WireMap.Parse(bytes, "TransportsResponse").Required("Protocols", r => Array(r, "Protocols", ReadProtocol)));

    private static TransportProtocol ReadProtocol(CborReader r)
    {
        var map = WireMap.Read(r, "Protocol");
        return new TransportProtocol(map.Required("Name", x => x.ReadText()), map.Required("Addresses", x => Array(x, "Addresses", y => y.ReadBytes(1024))));
    }

    private static List<T> Array<T>(CborReader r, string what, Func<CborReader, T> read)
    {
        var count = r.ReadStartArray() ?? throw new MarketsWireException(MarketsWireError.Malformed, $"{what} is an indefinite-length array");
        if (count > MaxItems)
        {
            throw new MarketsWireException(MarketsWireError.Oversized, $"{what} has {count} items; at most {MaxItems} are read");
        }

        var items = new List<T>(count);
        for (var i = 0; i < count; i++)
        {
            items.Add(read(r));
        }

        r.ReadEndArray();
        return items;
    }
}
