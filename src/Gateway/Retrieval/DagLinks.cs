using System.Formats.Cbor;
using Granary.Filecoin;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Encoding;

namespace Granary.Gateway.Retrieval;

/// <summary>
/// The links of a block, in the order its codec lists them, for walking a DAG: dag-pb (<c>PBNode.Links[].Hash</c>, the
/// UnixFS codec), dag-cbor (every tag-42 CID, in encoded order) and raw (none). Blocks of other codecs are leaves.
/// </summary>
public static class DagLinks
{
    private const int MaxCborDepth = 128;

    /// <summary>The CIDs <paramref name="data"/> (a block of <paramref name="codec"/>) links to.</summary>
    /// <exception cref="FilecoinFormatException">The block does not decode as its codec.</exception>
    public static IReadOnlyList<Cid> Of(ulong codec, ReadOnlyMemory<byte> data) => codec switch
    {
        Cid.DagPb => DagPb(data.Span),
        Cid.DagCbor => DagCborLinks(data),
        _ => [],
    };

    private static List<Cid> DagPb(ReadOnlySpan<byte> node)
    {
        var links = new List<Cid>();
        var at = 0;
        while (at < node.Length)
        {
            var (field, wire) = Key(node, ref at);
            if (wire != 2)
            {
                SkipScalar(node, wire, ref at);
                continue;
            }

            var value = Bytes(node, ref at);
            if (field != 2)
            {
                continue; // Data
            }

            // PBLink { 1: Hash bytes, 2: Name string, 3: Tsize varint }
            var linkAt = 0;
            while (linkAt < value.Length)
            {
                var (linkField, linkWire) = Key(value, ref linkAt);
                if (linkWire != 2)
                {
                    SkipScalar(value, linkWire, ref linkAt);
                    continue;
                }

                var bytes = Bytes(value, ref linkAt);
                if (linkField == 1)
                {
                    links.Add(Cid.FromBytes(bytes));
                }
            }
        }

        return links;
    }

    private static (ulong Field, int Wire) Key(ReadOnlySpan<byte> data, ref int at)
    {
        var key = Varint.Read(data[at..], out var n);
        at += n;
        return (key >> 3, (int)(key & 7));
    }

    private static ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> data, ref int at)
    {
        var length = Varint.Read(data[at..], out var n);
        at += n;
        if (length > (ulong)(data.Length - at))
        {
            throw new FilecoinFormatException("dag-pb field runs past the end of the block");
        }

        var value = data.Slice(at, (int)length);
        at += (int)length;
        return value;
    }

    private static void SkipScalar(ReadOnlySpan<byte> data, int wire, ref int at)
    {
        switch (wire)
        {
            case 0:
                Varint.Read(data[at..], out var n);
                at += n;
                break;
            case 1 when at + 8 <= data.Length:
                at += 8;
                break;
            case 5 when at + 4 <= data.Length:
                at += 4;
                break;
            default:
                throw new FilecoinFormatException($"dag-pb block has an unsupported or truncated field (wire type {wire})");
        }
    }

    private static List<Cid> DagCborLinks(ReadOnlyMemory<byte> data)
    {
        var links = new List<Cid>();
        var reader = new CborReader(data, CborConformanceMode.Lax);
        try
        {
            Walk(reader, links, 0);
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException)
        {
            throw new FilecoinFormatException($"dag-cbor block does not decode: {e.Message}");
        }

        return links;
    }

    private static void Walk(CborReader reader, List<Cid> links, int depth)
    {
        if (depth > MaxCborDepth)
        {
            throw new FilecoinFormatException($"dag-cbor block nests deeper than {MaxCborDepth}");
        }

        switch (reader.PeekState())
        {
            case CborReaderState.Tag:
                var tag = reader.ReadTag();
                if (tag == (CborTag)42)
                {
                    var bytes = reader.ReadByteString();
                    if (bytes.Length < 2 || bytes[0] != 0)
                    {
                        throw new FilecoinFormatException("dag-cbor link is not a 0x00-prefixed CID byte string");
                    }

                    links.Add(Cid.FromBytes(bytes.AsSpan(1)));
                }
                else
                {
                    Walk(reader, links, depth + 1);
                }

                break;
            case CborReaderState.StartArray:
                reader.ReadStartArray();
                while (reader.PeekState() != CborReaderState.EndArray)
                {
                    Walk(reader, links, depth + 1);
                }

                reader.ReadEndArray();
                break;
            case CborReaderState.StartMap:
                reader.ReadStartMap();
                while (reader.PeekState() != CborReaderState.EndMap)
                {
                    Walk(reader, links, depth + 1); // key
                    Walk(reader, links, depth + 1); // value
                }

                reader.ReadEndMap();
                break;
            default:
                reader.SkipValue();
                break;
        }
    }
}
