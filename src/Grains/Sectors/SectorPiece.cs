namespace Granary.Grains.Sectors;

/// <summary>A piece in a sector, in order: its commitment (piece CID), padded size and the deal it belongs to.</summary>
/// <param name="PieceCid">The piece CID (<c>baga6ea4seaq…</c>).</param>
/// <param name="Size">Its padded size in bytes.</param>
/// <param name="DealId">The deal, or 0 for a filler (zero) piece of a committed-capacity sector.</param>
[GenerateSerializer, Immutable, Alias("granary.SectorPiece")]
public sealed record SectorPiece(
    [property: Id(0)] string PieceCid,
    [property: Id(1)] long Size,
    [property: Id(2)] ulong DealId);
