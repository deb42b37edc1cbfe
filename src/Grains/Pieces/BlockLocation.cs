namespace Granary.Grains.Pieces;

/// <summary>Where a block is: a piece and the block's data range in that piece's payload.</summary>
/// <param name="PieceCid">The v1 piece CID.</param>
/// <param name="Codec">The codec of the CID the block was stored under.</param>
/// <param name="Offset">Offset of the block's data in the payload.</param>
/// <param name="Length">Length of the block's data.</param>
[GenerateSerializer, Immutable, Alias("granary.BlockLocation")]
public sealed record BlockLocation(
    [property: Id(0)] string PieceCid,
    [property: Id(1)] ulong Codec,
    [property: Id(2)] long Offset,
    [property: Id(3)] long Length);
