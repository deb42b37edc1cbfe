using Granary.Filecoin.Cbor;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Encoding;

namespace Granary.Filecoin.Car;

/// <summary>Writes a CARv1: the header with its roots, then one section per block.</summary>
public sealed class CarWriter(Stream output)
{
    /// <summary>Writes the header.</summary>
    public async Task WriteHeaderAsync(IReadOnlyList<Cid> roots, CancellationToken cancellationToken = default)
    {
        if (roots.Count == 0)
        {
            throw new ArgumentException("a CARv1 needs at least one root");
        }

        var w = DagCbor.Writer();
        w.WriteStartMap(2);
        w.WriteTextString("roots");
        w.WriteStartArray(roots.Count);
        foreach (var root in roots)
        {
            w.WriteCid(root);
        }

        w.WriteEndArray();
        w.WriteTextString("version");
        w.WriteUInt32(1);
        w.WriteEndMap();
        var header = w.Encode();
        await output.WriteAsync(Varint.Encode((ulong)header.Length), cancellationToken);
        await output.WriteAsync(header, cancellationToken);
    }

    /// <summary>Writes one block's section.</summary>
    public async Task WriteBlockAsync(Cid cid, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var cidBytes = cid.ToBytes();
        await output.WriteAsync(Varint.Encode((ulong)(cidBytes.Length + data.Length)), cancellationToken);
        await output.WriteAsync(cidBytes, cancellationToken);
        await output.WriteAsync(data, cancellationToken);
    }
}
