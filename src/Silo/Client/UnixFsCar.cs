using System.Security.Cryptography;
using Granary.Filecoin.Car;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Encoding;

namespace Granary.Silo.Client;

/// <summary>What <see cref="UnixFsCar.WriteAsync"/> wrote.</summary>
/// <param name="Root">The DAG root (the CAR's one root): a dag-pb UnixFS file node, or the raw block of a one-chunk file.</param>
/// <param name="CarSize">Bytes of the CAR.</param>
/// <param name="Blocks">Blocks in the CAR.</param>
/// <param name="FileSize">Bytes of the file.</param>
public sealed record UnixFsCarResult(Cid Root, long CarSize, int Blocks, long FileSize);

/// <summary>
/// A file as a UnixFS DAG in a CARv1, laid out as <c>ipfs add --cid-version=1 --raw-leaves</c> does: the file cut into
/// raw leaf blocks of <see cref="ChunkSize"/> bytes (CIDv1, raw, sha2-256), joined by dag-pb UnixFS <c>File</c> nodes of
/// at most <see cref="MaxLinks"/> links (CIDv1, dag-pb, sha2-256; links before data as dag-pb's canonical form, each
/// link with an empty name and its Tsize; the data with the file size and each child's block size), a one-chunk file
/// being its raw block. Blocks are written root first, depth first, each once — the order the gateway's
/// <c>/ipfs/{root}?format=car</c> answers in (<c>order=dfs; dups=n</c>), so a retrieval returns the same bytes. The
/// file is read twice (hashing, then writing), so memory holds only the inner nodes.
/// </summary>
public static class UnixFsCar
{
    /// <summary>Bytes per leaf (kubo's default chunker, 256 KiB).</summary>
    public const int ChunkSize = 256 << 10;

    /// <summary>Most links per inner node (kubo's balanced layout).</summary>
    public const int MaxLinks = 174;

    /// <summary>Largest file accepted (a 64 GiB sector's payload).</summary>
    public const long MaxFileBytes = 64L << 30;

    /// <summary>Writes the CAR of <paramref name="file"/> to <paramref name="output"/>.</summary>
    /// <exception cref="IOException">The file cannot be read, is empty or is larger than <see cref="MaxFileBytes"/>.</exception>
    public static async Task<UnixFsCarResult> WriteAsync(string file, Stream output, int chunkSize = ChunkSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkSize, 1 << 20);
        await using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        if (input.Length == 0)
        {
            throw new IOException($"{file} is empty: there is nothing to store");
        }

        if (input.Length > MaxFileBytes)
        {
            throw new IOException($"{file} is {input.Length} bytes, larger than {MaxFileBytes} (the largest sector's payload)");
        }

        // Pass 1: the leaves' CIDs, then the inner nodes level by level.
        var level = new List<Node>();
        var buffer = new byte[chunkSize];
        long offset = 0;
        while (true)
        {
            var n = await input.ReadAtLeastAsync(buffer, chunkSize, throwOnEndOfStream: false, cancellationToken);
            if (n == 0)
            {
                break;
            }

            var cid = new Cid(1, Cid.Raw, new Multihash(Multihash.Sha2_256, SHA256.HashData(buffer.AsSpan(0, n))));
            level.Add(new Node(cid, null, [], offset, n, n, n));
            offset += n;
            if (n < chunkSize)
            {
                break;
            }
        }

        if (offset != input.Length)
        {
            throw new IOException($"{file} changed while it was read ({offset} of {input.Length} bytes)");
        }

        while (level.Count > 1)
        {
            var parents = new List<Node>((level.Count + MaxLinks - 1) / MaxLinks);
            for (var i = 0; i < level.Count; i += MaxLinks)
            {
                parents.Add(Inner(level.GetRange(i, Math.Min(MaxLinks, level.Count - i))));
            }

            level = parents;
        }

        var root = level[0];

        // Pass 2: root first, depth first, each block once.
        long written;
        using (var header = new MemoryStream())
        {
            await new CarWriter(header).WriteHeaderAsync([root.Cid], cancellationToken);
            await output.WriteAsync(header.ToArray(), cancellationToken);
            written = header.Length;
        }

        var writer = new CarWriter(output);
        var seen = new HashSet<Cid>();
        var stack = new Stack<Node>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (!seen.Add(node.Cid))
            {
                continue;
            }

            var section = node.Cid.ToBytes().Length + node.Length;
            written += Varint.Size((ulong)section) + section;

            if (node.Block is { } block)
            {
                await writer.WriteBlockAsync(node.Cid, block, cancellationToken);
            }
            else
            {
                input.Position = node.Offset;
                await input.ReadExactlyAsync(buffer.AsMemory(0, node.Length), cancellationToken);
                await writer.WriteBlockAsync(node.Cid, buffer.AsMemory(0, node.Length), cancellationToken);
            }

            for (var i = node.Children.Count - 1; i >= 0; i--)
            {
                stack.Push(node.Children[i]);
            }
        }

        await output.FlushAsync(cancellationToken);
        return new UnixFsCarResult(root.Cid, written, seen.Count, input.Length);
    }

    // A dag-pb UnixFS File node over the children: PBNode { Links: [{Hash, Name "", Tsize}], Data: UnixFS Data }.
    private static Node Inner(List<Node> children)
    {
        using var data = new MemoryStream();
        Field(data, 1, 2); // Type = File
        var fileSize = children.Sum(c => c.FileBytes);
        Field(data, 3, (ulong)fileSize);
        foreach (var child in children)
        {
            Field(data, 4, (ulong)child.FileBytes); // blocksizes
        }

        using var node = new MemoryStream();
        foreach (var child in children)
        {
            using var link = new MemoryStream();
            Bytes(link, 1, child.Cid.ToBytes());
            Bytes(link, 2, []);
            Field(link, 3, (ulong)child.TreeSize);
            Bytes(node, 2, link.ToArray());
        }

        Bytes(node, 1, data.ToArray());
        var block = node.ToArray();
        var cid = new Cid(1, Cid.DagPb, new Multihash(Multihash.Sha2_256, SHA256.HashData(block)));
        return new Node(cid, block, children, 0, block.Length, fileSize, block.Length + children.Sum(c => c.TreeSize));
    }

    private static void Field(Stream s, int field, ulong value)
    {
        s.Write(Varint.Encode((ulong)(field << 3)));
        s.Write(Varint.Encode(value));
    }

    private static void Bytes(Stream s, int field, byte[] value)
    {
        s.Write(Varint.Encode((ulong)((field << 3) | 2)));
        s.Write(Varint.Encode((ulong)value.Length));
        s.Write(value);
    }

    // A block of the DAG: an inner node (Block set) or a leaf (Offset/Length in the file).
    private sealed record Node(Cid Cid, byte[]? Block, List<Node> Children, long Offset, int Length, long FileBytes, long TreeSize);
}
