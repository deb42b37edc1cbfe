namespace Granary.Chain.Devnet;

/// <summary>
/// Decides when the devnet mines: the node hands it an <see cref="IEpochMiner"/> when it opens, and the clock
/// calls <see cref="IEpochMiner.MineEpochAsync"/> once per epoch. Disposing the clock stops it.
/// </summary>
public interface IDevnetClock : IAsyncDisposable
{
    /// <summary>Now, for block timestamps.</summary>
    DateTimeOffset Now { get; }

    /// <summary>Starts mining with <paramref name="miner"/>; a clock serves one node.</summary>
    void Start(IEpochMiner miner, TimeSpan blockDelay);
}

/// <summary>Mines the next epoch: one block with the pending messages, then cron and the block reward.</summary>
public interface IEpochMiner
{
    /// <summary>Mines one epoch and returns when its block is applied and persisted.</summary>
    Task MineEpochAsync(CancellationToken cancellationToken);
}
