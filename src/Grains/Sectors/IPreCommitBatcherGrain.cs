namespace Granary.Grains.Sectors;

/// <summary>
/// A miner's pre-commit batcher (key: the miner's actor id): collects sectors until <c>[Sealing] PreCommitBatchSize</c> are
/// waiting or the oldest has waited <c>PreCommitBatchWait</c>, then sends one PreCommitSectorBatch2 through the miner grain
/// and reports to each sector (<see cref="ISectorGrain.PreCommitLanded"/>).
/// </summary>
[Alias("granary.IPreCommitBatcherGrain")]
public interface IPreCommitBatcherGrain : IGrainWithIntegerKey
{
    /// <summary>Queues (or replaces) a sector's pre-commit; persisted before it returns.</summary>
    [Alias("Add")]
    Task Add(PreCommitEntry entry);

    /// <summary>Where the batcher stands with sector <paramref name="number"/>.</summary>
    [Alias("Find")]
    Task<BatchEntryState> Find(ulong number);

    /// <summary>Sends what is queued now (lotus's <c>sectors batching precommit --publish-now</c>).</summary>
    /// <returns>How many sectors were sent.</returns>
    [Alias("Flush")]
    Task<int> Flush();
}

/// <summary>
/// A miner's commit batcher (key: the miner's actor id): collects proofs until <c>[Sealing] CommitBatchSize</c> are waiting
/// (or the message would exceed its size limit) or the oldest has waited <c>CommitBatchWait</c>, then sends one
/// ProveCommitSectors3 and reports each sector's result from the <c>BatchReturn</c>.
/// </summary>
[Alias("granary.ICommitBatcherGrain")]
public interface ICommitBatcherGrain : IGrainWithIntegerKey
{
    /// <summary>Queues (or replaces) a sector's proof; persisted before it returns.</summary>
    [Alias("Add")]
    Task Add(CommitEntry entry);

    /// <summary>Where the batcher stands with sector <paramref name="number"/>.</summary>
    [Alias("Find")]
    Task<BatchEntryState> Find(ulong number);

    /// <summary>Sends what is queued now (lotus's <c>sectors batching commit --publish-now</c>).</summary>
    /// <returns>How many sectors were sent.</returns>
    [Alias("Flush")]
    Task<int> Flush();
}
