using Granary.Grains.Placement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Hosting;

namespace Granary.Grains.Sealing.Workers;

/// <summary>Registers the sealing workers on a silo.</summary>
public static class SealingWorkerHosting
{
    /// <summary>
    /// On every silo: the placement of <see cref="ISealingWorkerGrain"/> (placement runs on whichever silo takes
    /// the first call) and the <see cref="SealingWorkerDirectory"/>. On a silo whose <paramref name="subsystems"/>
    /// enable sealing, also its <see cref="SealingWorkerPool"/> (disposed, and its tasks cancelled, when the
    /// silo stops) and <see cref="ScratchSiloWatch"/>.
    /// </summary>
    public static ISiloBuilder UseSealingWorkers(this ISiloBuilder silo, SubsystemSet subsystems, SealingWorkerOptions options)
    {
        silo.Services.AddPlacementDirector<SealingWorkerPlacement, SealingWorkerPlacementDirector>();
        silo.Services.TryAddSingleton<SealingWorkerDirectory>();
        if (subsystems.Contains(Subsystem.Sealing))
        {
            silo.Services.AddSingleton(options);
            silo.Services.TryAddSingleton(TimeProvider.System);
            silo.Services.AddSingleton<SealingWorkerPool>();
            silo.Services.AddSingleton<ScratchSiloWatch>();
        }

        return silo;
    }
}
