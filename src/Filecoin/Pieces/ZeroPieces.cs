using Granary.Filecoin.Hashing;

namespace Granary.Filecoin.Pieces;

/// <summary>
/// Commitments of all-zero pieces: level 0 is a zero node, level l + 1 = H(level l ‖ level l). A zero
/// piece of padded size P has the commitment of level log2(P / 32).
/// </summary>
public static class ZeroPieces
{
    /// <summary>Levels kept: up to a 64 GiB piece (level 31) and beyond for sector-size trees.</summary>
    public const int Levels = 40;

    private static readonly byte[][] Table = Build();

    /// <summary>The commitment of a zero subtree of height <paramref name="level"/>.</summary>
    public static ReadOnlySpan<byte> AtLevel(int level) => Table[level];

    /// <summary>The commitment of a zero piece of <paramref name="paddedSize"/> bytes.</summary>
    public static byte[] Commitment(long paddedSize) =>
        PaddedPieceSize.IsValid(paddedSize) ? Table[PaddedPieceSize.Height(paddedSize)].ToArray()
        : throw new ArgumentException($"{paddedSize} is not a padded piece size");

    private static byte[][] Build()
    {
        var table = new byte[Levels][];
        table[0] = new byte[32];
        for (var l = 1; l < Levels; l++)
        {
            table[l] = new byte[32];
            Sha254.HashPair(table[l - 1], table[l - 1], table[l]);
        }

        return table;
    }
}
