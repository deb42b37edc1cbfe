using Granary.Grains.Placement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Hosting;

namespace Granary.Grains.Proving;

/// <summary>Registers proving on a silo.</summary>
public static class ProvingHosting
{
    /// <summary>
    /// On every silo: the placement of <see cref="IProvingWorkerGrain"/> (placement runs on whichever silo takes the
    /// first call), <see cref="ProvingSilos"/> and the options. On a silo whose <paramref name="subsystems"/> enable
    /// mining, also its <see cref="ProvingThreads"/> and the <see cref="ProvingHeadService"/> that follows the chain
    /// for the miner <paramref name="miner"/> reads (null: none).
    /// </summary>
    public static ISiloBuilder UseProving(this ISiloBuilder silo, SubsystemSet subsystems, ProvingOptions options, Func<string?> miner)
    {
        silo.Services.AddPlacementDirector<ProvingWorkerPlacement, ProvingWorkerPlacementDirector>();
        silo.Services.TryAddSingleton<ProvingSilos>();
        silo.Services.AddSingleton<IOptions<ProvingOptions>>(Options.Create(options));
        if (subsystems.Contains(Subsystem.Mining))
        {
            silo.Services.AddSingleton(new ProvingThreads(options));
            silo.Services.AddSingleton(new ProvingMiner(miner));
            silo.Services.AddHostedService<ProvingHeadService>();
        }

        return silo;
    }
}
