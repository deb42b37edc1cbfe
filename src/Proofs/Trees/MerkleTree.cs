using Granary.Filecoin.Hashing;

namespace Granary.Proofs.Trees;

/// <summary>
/// A binary SHA-256-trunc254 Merkle tree over 32-byte leaves (a power-of-two count), stored with every
/// level, leaves first, so any inclusion path can be read back from its file. Tree D built this way is
/// exactly Filecoin's CommD tree.
/// </summary>
public static class MerkleTree
{
    /// <summary>Bytes a stored tree over <paramref name="leaves"/> leaves takes: (2·leaves − 1) nodes.</summary>
    public static long StoredBytes(long leaves) => ((2 * leaves) - 1) * 32;

    /// <summary>Builds every level above <paramref name="leaves"/>; returns the whole tree, leaves first.</summary>
    public static byte[] Build(ReadOnlySpan<byte> leaves)
    {
        var count = leaves.Length / 32;
        if (count == 0 || (count & (count - 1)) != 0 || leaves.Length % 32 != 0)
        {
            throw new ArgumentException($"a tree needs a power-of-two number of 32-byte leaves, got {leaves.Length} bytes");
        }

        var tree = new byte[StoredBytes(count)];
        leaves.CopyTo(tree);
        var offset = 0;
        for (var width = count; width > 1; width /= 2)
        {
            var children = tree.AsSpan(offset, width * 32);
            var parents = tree.AsSpan(offset + (width * 32), width * 16);
            HashRowParallel(children, parents);
            offset += width * 32;
        }

        return tree;
    }

    /// <summary>The root of a stored tree.</summary>
    public static byte[] Root(ReadOnlySpan<byte> tree) => tree[^32..].ToArray();

    /// <summary>Reads the inclusion path of leaf <paramref name="index"/> from a stored tree file.</summary>
    public static MerklePath ReadPath(Microsoft.Win32.SafeHandles.SafeFileHandle tree, long leaves, long index)
    {
        var siblings = new List<byte[]>();
        long offset = 0;
        var position = index;
        for (var width = leaves; width > 1; width /= 2)
        {
            var sibling = new byte[32];
            var read = RandomAccess.Read(tree, sibling, (offset + (position ^ 1)) * 32);
            if (read != 32)
            {
                throw new IOException("tree file is truncated");
            }

            siblings.Add(sibling);
            offset += width;
            position /= 2;
        }

        return new MerklePath(index, siblings);
    }

    /// <summary>Reads leaf <paramref name="index"/> from a stored tree file.</summary>
    public static byte[] ReadLeaf(Microsoft.Win32.SafeHandles.SafeFileHandle file, long index)
    {
        var leaf = new byte[32];
        if (RandomAccess.Read(file, leaf, index * 32) != 32)
        {
            throw new IOException("file is truncated");
        }

        return leaf;
    }

    private static void HashRowParallel(ReadOnlySpan<byte> children, Span<byte> parents)
    {
        const int Chunk = 1 << 16; // parents per task: big enough to amortize scheduling
        var parentCount = parents.Length / 32;
        if (parentCount <= Chunk)
        {
            Sha254.HashRow(children, parents);
            return;
        }

        unsafe
        {
            fixed (byte* c = children, p = parents)
            {
                var cp = (nint)c;
                var pp = (nint)p;
                // The caller's scheduler: a sealing worker keeps the rows on its own threads.
                Parallel.For(0, (parentCount + Chunk - 1) / Chunk, new ParallelOptions { TaskScheduler = TaskScheduler.Current }, i =>
                {
                    var start = i * Chunk;
                    var n = Math.Min(Chunk, parentCount - start);
                    Sha254.HashRow(new ReadOnlySpan<byte>((byte*)cp + (start * 64L), n * 64), new Span<byte>((byte*)pp + (start * 32L), n * 32));
                });
            }
        }
    }
}
