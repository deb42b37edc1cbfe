using System.Collections.Immutable;

namespace Granary.Grains.Sealing.Workers;

/// <summary>
/// One sealing silo's worker pool at a moment: capacity, what running tasks hold, its jobs, totals and
/// resource table (lotus's <c>WorkerStats</c> and <c>WorkerJobs</c> for one worker).
/// </summary>
/// <param name="Silo">The silo's name.</param>
/// <param name="Address">The silo's address.</param>
/// <param name="Hostname">The machine's host name.</param>
/// <param name="Capacity">What the pool schedules.</param>
/// <param name="InUse">What running tasks hold.</param>
/// <param name="Jobs">Running tasks first (oldest first), then queued ones in start order.</param>
/// <param name="Totals">Counts per task type.</param>
/// <param name="Profiles">The resource table.</param>
/// <param name="Error">Why the silo could not be asked (the other fields are then empty), or null.</param>
[GenerateSerializer, Immutable, Alias("granary.SealingWorkerSnapshot")]
public sealed record SealingWorkerSnapshot(
    [property: Id(0)] string Silo,
    [property: Id(1)] string Address,
    [property: Id(2)] string Hostname,
    [property: Id(3)] MachineResources Capacity,
    [property: Id(4)] MachineResources InUse,
    [property: Id(5)] ImmutableArray<SealingJob> Jobs,
    [property: Id(6)] ImmutableArray<SealingTaskTotals> Totals,
    [property: Id(7)] ImmutableArray<SealingTaskProfile> Profiles,
    [property: Id(8)] string? Error = null)
{
    /// <summary>A silo that did not answer.</summary>
    public static SealingWorkerSnapshot Unreachable(string silo, string address, string error) =>
        new(silo, address, "", MachineResources.None, MachineResources.None, [], [], [], error);
}
