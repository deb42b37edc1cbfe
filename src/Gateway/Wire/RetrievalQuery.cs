using Granary.Filecoin.Cbor;
using Granary.Filecoin.Cids;

namespace Granary.Gateway.Wire;

/// <summary>
/// The request of <c>/fil/retrieval/qry/1.0.0</c>: go-fil-markets' <c>Query</c>, <c>{"PayloadCID": cid,
/// "QueryParams": {"PieceCID": cid | null}}</c> (the embedded struct is a nested map).
/// </summary>
public sealed record RetrievalQuery(Cid PayloadCid, Cid? PieceCid)
{
    /// <summary>Largest message read.</summary>
    public const int MaxMessageBytes = 4 << 10;

    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => WireCbor.Encode(w =>
    {
        w.WriteStartMap(2);
        w.WriteTextString("PayloadCID");
        w.WriteCid(PayloadCid);
        w.WriteTextString("QueryParams");
        w.WriteStartMap(1);
        w.WriteTextString("PieceCID");
        w.WriteNullableCid(PieceCid);
        w.WriteEndMap();
        w.WriteEndMap();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    /// <exception cref="MarketsWireException">Malformed.</exception>
    public static RetrievalQuery FromCbor(ReadOnlyMemory<byte> bytes)
    {
        var map = WireMap.Parse(bytes, "Query");
        return new RetrievalQuery(
            map.Required("PayloadCID", r => r.ReadLink()),
            map.Optional("QueryParams", null, r => WireMap.Read(r, "QueryParams").Optional("PieceCID", null, x => x.ReadNullableCid())));
    }
}
