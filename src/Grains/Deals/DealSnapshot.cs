namespace Granary.Grains.Deals;

/// <summary>Everything known about a deal (<c>storage-deals status</c>, the status protocol).</summary>
/// <param name="Summary">The listed fields.</param>
/// <param name="Deal">The proposal as received.</param>
/// <param name="SignedProposalCid">The CID of the client's signed proposal (what Boost reports).</param>
/// <param name="PublishCid">The <c>PublishStorageDeals</c> message CID, once sent; else empty.</param>
/// <param name="SealingStatus">The sector's state once the piece is in one; else empty.</param>
/// <param name="SectorNumber">The sector holding the piece, once added.</param>
/// <param name="NBytesReceived">Bytes of the data received so far.</param>
/// <param name="UpdatedAt">When the deal last changed.</param>
/// <param name="History">Its steps, oldest first.</param>
[GenerateSerializer, Immutable, Alias("granary.DealSnapshot")]
public sealed record DealSnapshot(
    [property: Id(0)] DealSummary Summary,
    [property: Id(1)] ProposedDeal Deal,
    [property: Id(2)] string SignedProposalCid,
    [property: Id(3)] string PublishCid,
    [property: Id(4)] string SealingStatus,
    [property: Id(5)] ulong? SectorNumber,
    [property: Id(6)] ulong NBytesReceived,
    [property: Id(7)] DateTimeOffset UpdatedAt,
    [property: Id(8)] IReadOnlyList<DealHistoryEntry> History);
