namespace Granary.Grains.Sectors;

/// <summary>A piece in a sector, in order: its commitment (piece CID), padded size and the deal it belongs to.</summary>
/// <param name="PieceCid">The piece CID (<c>baga6ea4seaq…</c>).</param>
/// <param name="Size">Its padded size in bytes.</param>
/// <param name="DealId">The deal (deal ids start at 0: see <paramref name="Deal"/>), or 0 for a filler (zero) piece.</param>
/// <param name="Deal">Whether the piece is a deal's (false for the zero pieces of committed capacity and between deal pieces).</param>
[GenerateSerializer, Immutable, Alias("granary.SectorPiece")]
public sealed record SectorPiece(
    [property: Id(0)] string PieceCid,
    [property: Id(1)] long Size,
    [property: Id(2)] ulong DealId,
    [property: Id(3)] bool Deal = false);
