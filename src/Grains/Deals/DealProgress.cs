namespace Granary.Grains.Deals;

/// <summary>
/// What a later stage (transfer, publish, add piece, index) reports to the deal grain: the checkpoint reached (the
/// same or a later one) and the facts learnt on the way. Null fields leave what is recorded unchanged.
/// </summary>
/// <param name="Checkpoint">The checkpoint the deal is at now; never earlier than the current one, never <see cref="DealCheckpoint.Complete"/> (use <see cref="IDealGrain.Fail"/>).</param>
/// <param name="Note">What happened, for the history.</param>
/// <param name="NBytesReceived">Bytes received so far.</param>
/// <param name="PublishCid">The publish message CID.</param>
/// <param name="ChainDealId">The on-chain deal id.</param>
/// <param name="SectorNumber">The sector the piece went into.</param>
/// <param name="SealingStatus">The sector's state name.</param>
[GenerateSerializer, Immutable, Alias("granary.DealProgress")]
public sealed record DealProgress(
    [property: Id(0)] DealCheckpoint Checkpoint,
    [property: Id(1)] string Note = "",
    [property: Id(2)] ulong? NBytesReceived = null,
    [property: Id(3)] string? PublishCid = null,
    [property: Id(4)] ulong? ChainDealId = null,
    [property: Id(5)] ulong? SectorNumber = null,
    [property: Id(6)] string? SealingStatus = null);
