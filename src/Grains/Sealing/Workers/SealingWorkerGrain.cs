using Granary.Grains.Placement;

namespace Granary.Grains.Sealing.Workers;

/// <inheritdoc cref="ISealingWorkerGrain" />
[RequiresSubsystem(Subsystem.Sealing)]
[SealingWorkerPlacement]
public sealed class SealingWorkerGrain(SealingWorkerPool pool, ILocalSiloDetails silo) : Grain, ISealingWorkerGrain
{
    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Placement puts the grain on the silo its key names; anywhere else it would report the wrong pool.
        var key = this.GetPrimaryKeyString();
        if (key != silo.SiloAddress.ToParsableString())
        {
            throw new SealingWorkerUnavailableException(key, $"activated on {silo.SiloAddress.ToParsableString()} instead");
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<SealingWorkerSnapshot> Snapshot() => Task.FromResult(pool.Snapshot(silo.Name, silo.SiloAddress.ToParsableString()));

    /// <inheritdoc />
    public Task<bool> Abort(Guid id) => Task.FromResult(pool.TryCancel(id));
}
