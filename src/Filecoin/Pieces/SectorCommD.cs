using Granary.Filecoin.Hashing;

namespace Granary.Filecoin.Pieces;

/// <summary>
/// CommD of a sector from its pieces, as lotus computes it: pieces are laid out in order, each aligned
/// to a multiple of its own size by zero pieces inserted before it, the rest of the sector is filled
/// with zero pieces, and the commitments are merged pairwise up to the sector root.
/// </summary>
public static class SectorCommD
{
    /// <summary>The alignment padding lotus inserts before a piece of <paramref name="pieceSize"/> at <paramref name="offset"/>.</summary>
    public static IEnumerable<long> AlignmentPadding(long offset, long pieceSize)
    {
        var end = (offset + pieceSize - 1) / pieceSize * pieceSize;
        while (offset < end)
        {
            var pad = offset & -offset; // the largest zero piece that keeps the layout aligned
            yield return pad;
            offset += pad;
        }
    }

    /// <summary>Computes CommD.</summary>
    /// <exception cref="ArgumentException">A size that is not a padded piece size, or pieces that overflow the sector.</exception>
    public static byte[] Compute(long sectorSize, IEnumerable<PieceInfo> pieces)
    {
        if (!PaddedPieceSize.IsValid(sectorSize))
        {
            throw new ArgumentException($"{sectorSize} is not a sector size");
        }

        var stack = new Stack<(long Size, byte[] Root)>();
        long offset = 0;
        foreach (var piece in pieces)
        {
            if (!PaddedPieceSize.IsValid(piece.PaddedSize) || piece.Commitment.Length != 32)
            {
                throw new ArgumentException($"piece of {piece.PaddedSize} bytes is not a padded piece with a 32-byte commitment");
            }

            foreach (var pad in AlignmentPadding(offset, piece.PaddedSize))
            {
                Push(stack, pad, ZeroPieces.Commitment(pad));
                offset += pad;
            }

            Push(stack, piece.PaddedSize, piece.Commitment);
            offset += piece.PaddedSize;
            if (offset > sectorSize)
            {
                throw new ArgumentException($"pieces take {offset} bytes, more than the {sectorSize}-byte sector");
            }
        }

        foreach (var pad in offset == 0 ? [sectorSize] : AlignmentPadding(offset, sectorSize))
        {
            Push(stack, pad, ZeroPieces.Commitment(pad));
        }

        return stack.Single().Root;
    }

    private static void Push(Stack<(long Size, byte[] Root)> stack, long size, byte[] root)
    {
        while (stack.Count > 0 && stack.Peek().Size == size)
        {
            var parent = new byte[32];
            Sha254.HashPair(stack.Pop().Root, root, parent);
            root = parent;
            size *= 2;
        }

        stack.Push((size, root));
    }
}
