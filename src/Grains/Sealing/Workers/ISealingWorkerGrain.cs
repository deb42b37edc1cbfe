namespace Granary.Grains.Sealing.Workers;

/// <summary>
/// The worker pool of one sealing silo, as the rest of the cluster sees it. The key is the silo's address
/// (<c>SiloAddress.ToParsableString()</c>) and <see cref="SealingWorkerPlacementAttribute"/> activates the grain
/// on exactly that silo, so any silo (a gateway answering <c>sealing jobs</c>) can ask any sealing silo
/// about its pool. Submitting work is not done through it: work is a delegate, which sector grains hand to
/// their own silo's <see cref="SealingWorkerPool"/> in-process.
/// </summary>
[Alias("granary.ISealingWorkerGrain")]
public interface ISealingWorkerGrain : IGrainWithStringKey
{
    /// <summary>The pool's capacity, use, jobs, totals and resource table.</summary>
    [Alias("Snapshot")]
    Task<SealingWorkerSnapshot> Snapshot();

    /// <summary>Cancels task <paramref name="id"/> if this pool has it.</summary>
    /// <returns>False if this pool has no such task.</returns>
    [Alias("Abort")]
    Task<bool> Abort(Guid id);
}
