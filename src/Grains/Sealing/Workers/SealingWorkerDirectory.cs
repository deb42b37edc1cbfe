using Granary.Grains.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Granary.Grains.Sealing.Workers;

/// <summary>
/// Every sealing silo's worker pool, asked from any silo: the active members whose metadata enables the
/// sealing subsystem, each through its <see cref="ISealingWorkerGrain"/>. This is what <c>Filecoin.WorkerJobs</c>,
/// <c>Filecoin.WorkerStats</c> and <c>Filecoin.SealingAbort</c> answer from, like lotus-miner's view of all its workers.
/// </summary>
public sealed class SealingWorkerDirectory(IGrainFactory grains, IClusterMembershipService membership, ISiloMetadataCache metadata)
{
    /// <summary>How long one silo may take to answer before it is reported as unreachable.</summary>
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The active sealing silos, by name.</summary>
    public IReadOnlyList<ClusterMember> SealingSilos() =>
        [.. membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && Enables(m.SiloAddress))
            .OrderBy(m => m.Name, StringComparer.Ordinal)];

    /// <summary>Every sealing silo's pool; a silo that fails to answer is listed with its error.</summary>
    public async Task<IReadOnlyList<SealingWorkerSnapshot>> SnapshotsAsync(CancellationToken cancellationToken = default)
    {
        var silos = SealingSilos();
        return await Task.WhenAll(silos.Select(async m =>
        {
            var address = m.SiloAddress.ToParsableString();
            try
            {
                return await grains.GetGrain<ISealingWorkerGrain>(address).Snapshot().WaitAsync(AskTimeout, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return SealingWorkerSnapshot.Unreachable(m.Name, address, e.Message);
            }
        }));
    }

    /// <summary>Cancels task <paramref name="id"/> on whichever sealing silo has it.</summary>
    /// <returns>The silo's name, or null if none has it.</returns>
    public async Task<string?> AbortAsync(Guid id, CancellationToken cancellationToken = default)
    {
        foreach (var m in SealingSilos())
        {
            if (await grains.GetGrain<ISealingWorkerGrain>(m.SiloAddress.ToParsableString()).Abort(id).WaitAsync(AskTimeout, cancellationToken))
            {
                return m.Name;
            }
        }

        return null;
    }

    private bool Enables(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(SubsystemSet.MetadataKey, out var value)
        && SubsystemSet.FromMetadataValue(value).Contains(Subsystem.Sealing);
}
