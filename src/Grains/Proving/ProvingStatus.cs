namespace Granary.Grains.Proving;

/// <summary>The proving scheduler of one miner: the heads it was given and acted on, and its WinningPoSt record.</summary>
/// <param name="Miner">The miner.</param>
/// <param name="Head">The newest head it was given (-1 before any).</param>
/// <param name="Settled">The newest head whose deadline work is done, messages aside (-1 before any).</param>
/// <param name="Silo">The silo hosting the scheduler.</param>
/// <param name="Winning">The last WinningPoSt computed, if any since the scheduler activated.</param>
/// <param name="WinningCount">WinningPoSts computed since it activated.</param>
[GenerateSerializer, Immutable, Alias("granary.ProvingStatus")]
public sealed record ProvingStatus(
    [property: Id(0)] string Miner,
    [property: Id(1)] long Head,
    [property: Id(2)] long Settled,
    [property: Id(3)] string Silo,
    [property: Id(4)] WinningPoStRecord? Winning,
    [property: Id(5)] long WinningCount);

/// <summary>
/// A WinningPoSt computed when a head named the miner as a block's miner. The devnet elects the winner itself and
/// never asks for the proof, so it is computed and checked with the engine's verifier, not submitted.
/// </summary>
/// <param name="Epoch">The epoch won.</param>
/// <param name="Sector">The challenged sector (null when none could be chosen).</param>
/// <param name="Verified">The proof verifies.</param>
/// <param name="Reason">Why it failed.</param>
/// <param name="Silo">The silo that computed it.</param>
/// <param name="Seconds">How long it took.</param>
/// <param name="ProofBytes">The proof's size.</param>
[GenerateSerializer, Immutable, Alias("granary.WinningPoStRecord")]
public sealed record WinningPoStRecord(
    [property: Id(0)] long Epoch,
    [property: Id(1)] ulong? Sector,
    [property: Id(2)] bool Verified,
    [property: Id(3)] string? Reason,
    [property: Id(4)] string? Silo,
    [property: Id(5)] double Seconds,
    [property: Id(6)] int ProofBytes);

/// <summary>What <c>proving info</c> shows (lotus-miner's fields, plus the scheduler's status and the proving silos).</summary>
/// <param name="Miner">The miner.</param>
/// <param name="CurrentEpoch">The head.</param>
/// <param name="PeriodStart">The current proving period's start.</param>
/// <param name="ProvingPeriod">Epochs per period.</param>
/// <param name="PeriodDeadlines">Deadlines per period.</param>
/// <param name="Deadline">The current deadline's window.</param>
/// <param name="DeadlinePartitions">Partitions of the current deadline.</param>
/// <param name="DeadlineSectors">Sectors of the current deadline.</param>
/// <param name="Sectors">Live sectors in all deadlines.</param>
/// <param name="Active">Sectors with power (proven, not faulty).</param>
/// <param name="Faults">Faulty sectors.</param>
/// <param name="Recovering">Faulty sectors declared recovered.</param>
/// <param name="Status">The scheduler.</param>
/// <param name="Provers">The active mining silos.</param>
[GenerateSerializer, Immutable, Alias("granary.ProvingInfo")]
public sealed record ProvingInfo(
    [property: Id(0)] string Miner,
    [property: Id(1)] long CurrentEpoch,
    [property: Id(2)] long PeriodStart,
    [property: Id(3)] long ProvingPeriod,
    [property: Id(4)] long PeriodDeadlines,
    [property: Id(5)] DeadlineWindow Deadline,
    [property: Id(6)] int DeadlinePartitions,
    [property: Id(7)] int DeadlineSectors,
    [property: Id(8)] int Sectors,
    [property: Id(9)] int Active,
    [property: Id(10)] int Faults,
    [property: Id(11)] int Recovering,
    [property: Id(12)] ProvingStatus Status,
    [property: Id(13)] string[] Provers);

/// <summary>One row of <c>proving deadlines</c>.</summary>
/// <param name="Index">The deadline.</param>
/// <param name="Open">Its open epoch in the current period.</param>
/// <param name="Current">Whether it is the open one.</param>
/// <param name="Partitions">Its partitions.</param>
/// <param name="Sectors">Its sectors (all ever assigned, as lotus counts).</param>
/// <param name="Live">Its live sectors.</param>
/// <param name="Faults">Its faulty sectors.</param>
/// <param name="Recovering">Its recovering sectors.</param>
/// <param name="ProvenPartitions">Partitions proven this period (the chain's PostSubmissions).</param>
/// <param name="PoSt">This grain's last WindowPoSt of the period: status and message, or null.</param>
/// <param name="PoStHeight">The epoch it landed in (-1 if not).</param>
[GenerateSerializer, Immutable, Alias("granary.DeadlineRow")]
public sealed record DeadlineRow(
    [property: Id(0)] ulong Index,
    [property: Id(1)] long Open,
    [property: Id(2)] bool Current,
    [property: Id(3)] int Partitions,
    [property: Id(4)] int Sectors,
    [property: Id(5)] int Live,
    [property: Id(6)] int Faults,
    [property: Id(7)] int Recovering,
    [property: Id(8)] int ProvenPartitions,
    [property: Id(9)] string? PoSt,
    [property: Id(10)] long PoStHeight);

/// <summary>One faulty sector (<c>proving faults</c>).</summary>
[GenerateSerializer, Immutable, Alias("granary.FaultySector")]
public sealed record FaultySector(
    [property: Id(0)] ulong Deadline,
    [property: Id(1)] ulong Partition,
    [property: Id(2)] ulong Sector,
    [property: Id(3)] bool Recovering);
