namespace Granary.Grains.Pieces;

/// <summary>
/// The persisted state of one piece's <see cref="PieceDirectoryGrain"/>: a few hundred bytes (sizes, deals, sector
/// locations, the index summary). The block index itself is rows in the cluster database (<see cref="PieceBlockStore"/>),
/// since one piece can hold millions of blocks.
/// </summary>
[GenerateSerializer, Alias("granary.PieceDirectoryState")]
public sealed class PieceDirectoryState
{
    /// <summary>The padded piece size; 0 until a deal or location says it.</summary>
    [Id(0)] public long PieceSize { get; set; }

    /// <summary>The payload bytes; 0 until a deal says it.</summary>
    [Id(1)] public long PayloadSize { get; set; }

    /// <summary>The deals of the piece, in the order they were added.</summary>
    [Id(2)] public List<PieceDeal> Deals { get; set; } = new();

    /// <summary>Where the piece was placed.</summary>
    [Id(3)] public List<PieceSectorLocation> Sectors { get; set; } = new();

    /// <summary>The staged payload, if any.</summary>
    [Id(4)] public PieceStaging? Staging { get; set; }

    /// <summary>The index summary.</summary>
    [Id(5)] public PieceIndexSummary Index { get; set; } = PieceIndexSummary.None;
}
