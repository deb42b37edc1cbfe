using Granary.Chain.Model;
using Granary.Filecoin.Tokens;

namespace Granary.Grains.Sectors;

/// <summary>How sector grains and the batchers pace themselves (<c>[Sealing]</c> batch keys and the chain's policy).</summary>
public sealed class SectorPipelineOptions
{
    /// <summary>Sectors per PreCommitSectorBatch message (lotus's <c>MaxPreCommitBatch</c>); 1 sends each at once.</summary>
    public int PreCommitBatchSize { get; set; } = 10;

    /// <summary>Longest a sector waits in the pre-commit batcher before a smaller batch is sent.</summary>
    public TimeSpan PreCommitBatchWait { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Sectors per ProveCommitSectors3 message (also capped by the message size limit).</summary>
    public int CommitBatchSize { get; set; } = 4;

    /// <summary>Longest a proof waits in the commit batcher before a smaller batch is sent.</summary>
    public TimeSpan CommitBatchWait { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The first retry of a <c>*Failed</c> state comes after this; each further one waits twice as long ...</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>... up to this.</summary>
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often a sector that waits on the chain (seed, messages) looks at it.</summary>
    public TimeSpan ChainPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The watchdog reminder's period: a non-terminal sector whose silo died resumes within it (Orleans' minimum is 1 minute).</summary>
    public TimeSpan WatchdogPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Epochs below the head the seal ticket is drawn at.</summary>
    public long TicketLookback { get; set; } = 1;

    /// <summary>Epochs added to the shortest lifetime the chain accepts, to cover the time a sector waits in the batcher.</summary>
    public long ExpirationMargin { get; set; } = 960;

    /// <summary>Sent as value with each pre-committed sector, for its deposit (the devnet's flat 0.01 FIL).</summary>
    public TokenAmount PreCommitDeposit { get; set; } = new(TokenAmount.AttoPerFil / 100);

    /// <summary>Largest params of one ProveCommitSectors3 this batcher sends (the chain's limit is 256 KiB).</summary>
    public int MaxCommitParamsBytes { get; set; } = 200 << 10;

    /// <summary>
    /// Longest a deal sector waits in WaitDeals for more pieces after its first (lotus's <c>[Sealing] WaitDealsDelay</c>)
    /// before it seals part-empty.
    /// </summary>
    public TimeSpan WaitDealsDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A deal sector seals at once when one of its deals starts within this many epochs (lotus's
    /// <c>StartEpochSealingBuffer</c>): the time sealing and proving take.
    /// </summary>
    public long DealStartBuffer { get; set; } = 480;

    /// <summary>The chain's policy (delays, lifetimes, batch limits).</summary>
    public ChainPolicy Policy { get; set; } = ChainPolicy.Devnet;

    /// <summary>The address prefix of the network: <c>t</c> (test networks, the devnet) or <c>f</c>.</summary>
    public char AddressNetwork { get; set; } = 't';

    /// <summary>The back-off before retry number <paramref name="failures"/> (1-based).</summary>
    public TimeSpan Backoff(int failures)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var ticks = RetryBackoff.Ticks * Math.Pow(2, exponent);
        return ticks >= MaxRetryBackoff.Ticks ? MaxRetryBackoff : TimeSpan.FromTicks((long)ticks);
    }
}
