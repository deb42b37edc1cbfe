using Granary.Filecoin.Hashing;

namespace Granary.Proofs.Trees;

/// <summary>An inclusion path: the leaf index and its siblings from the leaf level up.</summary>
public sealed record MerklePath(long Index, IReadOnlyList<byte[]> Siblings)
{
    /// <summary>True if <paramref name="leaf"/> at <see cref="Index"/> hashes up to <paramref name="root"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> leaf, ReadOnlySpan<byte> root)
    {
        if (leaf.Length != 32 || Index < 0 || Index >> Siblings.Count != 0)
        {
            return false;
        }

        Span<byte> node = stackalloc byte[32];
        leaf.CopyTo(node);
        var position = Index;
        foreach (var sibling in Siblings)
        {
            if ((position & 1) == 0)
            {
                Sha254.HashPair(node, sibling, node);
            }
            else
            {
                Sha254.HashPair(sibling, node, node);
            }

            position >>= 1;
        }

        return node.SequenceEqual(root);
    }
}
