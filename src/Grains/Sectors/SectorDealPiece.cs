namespace Granary.Grains.Sectors;

/// <summary>A deal's piece as a deal sector holds it: the deal, where the piece goes in the sector and where its bytes are.</summary>
/// <param name="DealUuid">The deal's proposal id (told about the sector's transitions).</param>
/// <param name="DealId">The deal's id on chain.</param>
/// <param name="PieceCid">The piece CID; the bytes written must hash to it.</param>
/// <param name="Size">The padded piece size.</param>
/// <param name="Offset">The padded offset in the sector (a multiple of <paramref name="Size"/>).</param>
/// <param name="Source">Where the piece's unpadded bytes are.</param>
/// <param name="StartEpoch">The deal's start epoch.</param>
/// <param name="EndEpoch">The deal's end epoch (the sector's expiration is at least this).</param>
[GenerateSerializer, Immutable, Alias("granary.SectorDealPiece")]
public sealed record SectorDealPiece(
    [property: Id(0)] Guid DealUuid,
    [property: Id(1)] ulong DealId,
    [property: Id(2)] string PieceCid,
    [property: Id(3)] long Size,
    [property: Id(4)] long Offset,
    [property: Id(5)] DealPieceSource Source,
    [property: Id(6)] long StartEpoch,
    [property: Id(7)] long EndEpoch);
