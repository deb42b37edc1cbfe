namespace Granary.Grains.Sectors;

/// <summary>Where a deal's piece was placed.</summary>
/// <param name="SectorNumber">The sector's number.</param>
/// <param name="SectorName">The sector's name (<c>s-t01000-5</c>), the sector grain's key.</param>
/// <param name="Offset">The piece's padded offset in the sector, in bytes.</param>
[GenerateSerializer, Immutable, Alias("granary.PieceAssignment")]
public sealed record PieceAssignment(
    [property: Id(0)] ulong SectorNumber,
    [property: Id(1)] string SectorName,
    [property: Id(2)] long Offset);
