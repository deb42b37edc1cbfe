namespace Granary.Grains.Proving;

/// <summary>
/// How a mining silo proves: the time budgets of the sector checks (lotus-miner's <c>[Proving]</c> settings of the
/// same names), how many partitions one WindowPoSt message carries, and the watchdog.
/// </summary>
public sealed class ProvingOptions
{
    /// <summary>Most sector checks one silo runs at once (lotus's <c>ParallelCheckLimit</c>).</summary>
    public int ParallelCheckLimit { get; set; } = 32;

    /// <summary>
    /// Longest one sector's check may take (lotus's <c>SingleCheckTimeout</c>): opening its sealed replica and
    /// cache, and reading and verifying a few randomly challenged nodes. A slower sector counts as unreadable.
    /// </summary>
    public TimeSpan SingleCheckTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest the checks of one partition may take together (lotus's <c>PartitionCheckTimeout</c>); sectors not checked by then count as unreadable.</summary>
    public TimeSpan PartitionCheckTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Partitions per <c>SubmitWindowedPoSt</c> message (lotus's <c>MaxPartitionsPerPoStMessage</c>); 0 means the
    /// chain's maximum, <see cref="PoStedPartitionsMax"/>.
    /// </summary>
    public int MaxPartitionsPerPoStMessage { get; set; }

    /// <summary>Filecoin's <c>PoStedPartitionsMax</c> (3 on mainnet and the devnet): the most partitions one message may prove.</summary>
    public const int PoStedPartitionsMax = 3;

    /// <summary>Most WindowPoSt proofs one silo computes at once; each holds one thread.</summary>
    public int ProofThreads { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>How many challenge windows before a deadline opens its faults and recoveries are checked and declared (lotus declares two deadlines ahead).</summary>
    public int DeclarationLeadWindows { get; set; } = 2;

    /// <summary>How often the scheduler's reminder re-reads the head, in case head changes stop arriving (Orleans' reminder minimum is one minute).</summary>
    public TimeSpan WatchdogPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many times a deadline's WindowPoSt is computed and sent again after it failed, per proving period.</summary>
    public int MaxPoStAttempts { get; set; } = 3;

    /// <summary>
    /// Longest the scheduler waits for the deadline grains to act on one head before it takes the next: a long
    /// proof of one deadline must not hold up the fault declarations of the next ones (the slow grain carries on
    /// and takes the newest head when it is done).
    /// </summary>
    public TimeSpan HeadStepWait { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The partitions per message in effect.</summary>
    public int PartitionsPerMessage => MaxPartitionsPerPoStMessage is > 0 and < PoStedPartitionsMax ? MaxPartitionsPerPoStMessage : PoStedPartitionsMax;
}
