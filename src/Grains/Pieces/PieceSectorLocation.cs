using Granary.Grains.Storage;

namespace Granary.Grains.Pieces;

/// <summary>
/// Where a piece was placed in a sector: the sector and the piece's place in the unsealed sector file, in padded
/// bytes (as <c>PieceWriter.AddPieceAsync</c> reports it and as Boost's <c>PieceOffset</c>/<c>PieceLength</c> are).
/// </summary>
/// <param name="Sector">The sector.</param>
/// <param name="Offset">Padded offset of the piece in the unsealed sector file (a multiple of <paramref name="Length"/>).</param>
/// <param name="Length">The padded piece size.</param>
[GenerateSerializer, Immutable, Alias("granary.PieceSectorLocation")]
public sealed record PieceSectorLocation(
    [property: Id(0)] SectorId Sector,
    [property: Id(1)] long Offset,
    [property: Id(2)] long Length);
