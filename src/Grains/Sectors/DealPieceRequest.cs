namespace Granary.Grains.Sectors;

/// <summary>A published deal's piece, to be placed in a sector.</summary>
/// <param name="DealUuid">The deal's proposal id (the deal grain's key).</param>
/// <param name="DealId">The deal's id on chain (from PublishStorageDeals).</param>
/// <param name="PieceCid">The piece CID (<c>baga6ea4seaq…</c>).</param>
/// <param name="PaddedSize">The piece's padded size in bytes (a power of two).</param>
/// <param name="Source">Where the piece's bytes are.</param>
/// <param name="StartEpoch">The deal's start epoch: the sector must be proven before it.</param>
/// <param name="EndEpoch">The deal's end epoch: the sector must not expire before it.</param>
[GenerateSerializer, Immutable, Alias("granary.DealPieceRequest")]
public sealed record DealPieceRequest(
    [property: Id(0)] Guid DealUuid,
    [property: Id(1)] ulong DealId,
    [property: Id(2)] string PieceCid,
    [property: Id(3)] long PaddedSize,
    [property: Id(4)] DealPieceSource Source,
    [property: Id(5)] long StartEpoch,
    [property: Id(6)] long EndEpoch);
