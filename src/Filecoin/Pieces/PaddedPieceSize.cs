namespace Granary.Filecoin.Pieces;

/// <summary>Piece size arithmetic: padded sizes are powers of two ≥ 128; each 128 padded bytes hold 127 payload bytes.</summary>
public static class PaddedPieceSize
{
    /// <summary>Smallest piece.</summary>
    public const long Min = 128;

    /// <summary>Largest piece (a 64 GiB sector).</summary>
    public const long Max = 64L << 30;

    /// <summary>True if <paramref name="padded"/> is a valid padded piece size.</summary>
    public static bool IsValid(long padded) => padded >= Min && padded <= Max && (padded & (padded - 1)) == 0;

    /// <summary>Payload bytes a piece of <paramref name="padded"/> bytes holds.</summary>
    public static long Unpadded(long padded) => padded - (padded / 128);

    /// <summary>The smallest padded piece that holds <paramref name="payload"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">More than a 64 GiB piece holds.</exception>
    public static long ForPayload(long payload)
    {
        var padded = Min;
        while (Unpadded(padded) < payload)
        {
            padded *= 2;
            if (padded > Max)
            {
                throw new ArgumentOutOfRangeException(nameof(payload), $"{payload} bytes is more than a 64 GiB piece holds");
            }
        }

        return padded;
    }

    /// <summary>Tree height of a piece: log2(padded / 32).</summary>
    public static int Height(long padded) => 63 - (int)ulong.LeadingZeroCount((ulong)(padded / 32));
}
