namespace Granary.Grains.Proving;

/// <summary>
/// One proving deadline of one miner (key <c>{miner}/{index}</c>, e.g. <c>t01000/17</c>), on mining silos. Driven by
/// the proving scheduler at every head while its window is near: before the fault cutoff it checks its sectors
/// and declares faults (unreadable) and recoveries (readable again); while its window is open it proves every
/// partition (on the silos holding their files) and submits the WindowPoSt, each message recorded before it is
/// sent so a restarted grain reconciles with the chain instead of sending again.
/// </summary>
[Alias("granary.IDeadlineGrain")]
public interface IDeadlineGrain : IGrainWithStringKey
{
    /// <summary>
    /// Acts on a head: returns once this head's checks, proofs and sends are started (messages land in the
    /// background). An older head than one already seen is ignored.
    /// </summary>
    [Alias("Advance")]
    [ResponseTimeout("00:30:00")]
    Task Advance(ProvingTick tick);

    /// <summary>The current and previous periods' checks and messages, and the last head acted on.</summary>
    [Alias("Snapshot")]
    Task<DeadlineSnapshot> Snapshot();

    /// <summary>Checks every live sector of the deadline now (lotus's <c>proving check</c>), on the silos that would prove them.</summary>
    [Alias("Check")]
    [ResponseTimeout("00:30:00")]
    Task<SectorCheckLine[]> Check();
}

/// <summary>What a deadline grain reports.</summary>
/// <param name="Index">The deadline.</param>
/// <param name="Settled">The last head whose work is done (messages aside); -1 before any.</param>
/// <param name="Current">The period open or next.</param>
/// <param name="Previous">The period before.</param>
/// <param name="Silo">The silo hosting the grain.</param>
[GenerateSerializer, Alias("granary.DeadlineSnapshot")]
public sealed record DeadlineSnapshot(
    [property: Id(0)] ulong Index,
    [property: Id(1)] long Settled,
    [property: Id(2)] DeadlinePeriod? Current,
    [property: Id(3)] DeadlinePeriod? Previous,
    [property: Id(4)] string Silo);

/// <summary>One line of <c>proving check</c>.</summary>
/// <param name="Deadline">The deadline.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Sector">The sector number.</param>
/// <param name="Ok">Provable now.</param>
/// <param name="Reason">Why not.</param>
/// <param name="Silo">The silo that checked it.</param>
[GenerateSerializer, Immutable, Alias("granary.SectorCheckLine")]
public sealed record SectorCheckLine(
    [property: Id(0)] ulong Deadline,
    [property: Id(1)] ulong Partition,
    [property: Id(2)] ulong Sector,
    [property: Id(3)] bool Ok,
    [property: Id(4)] string? Reason,
    [property: Id(5)] string Silo);
