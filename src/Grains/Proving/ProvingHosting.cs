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
    /// <para>
    /// Also on every silo, the cluster's grain directory: Orleans' distributed directory (<see cref="UseHandOverGrainDirectory"/>),
    /// so that a markets silo stopping or joining never deactivates the proving grains of the mining silos.
    /// </para>
    /// </summary>
    public static ISiloBuilder UseProving(this ISiloBuilder silo, SubsystemSet subsystems, ProvingOptions options, Func<string?> miner)
    {
        silo.UseHandOverGrainDirectory();
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

    /// <summary>
    /// Makes Orleans' distributed grain directory the cluster's default directory. Every silo of a cluster must use the same
    /// directory.
    /// </summary>
    /// <remarks>
    /// Orleans' older default directory keeps each grain's registration on one silo of a hash ring, markets silos included,
    /// and hands nothing over when a silo leaves: every silo then deactivates the activations whose registration the
    /// leaving silo held. A markets gateway stopping would so deactivate, on the mining silo, the deadline grain in the
    /// middle of a WindowPoSt, the miner grain (which waits for its running sends before it goes, holding up every new
    /// one), the proving scheduler and the proving worker; their new activations read their state again and the
    /// gateway's return moves their registrations once more. The distributed directory hands a leaving silo's ranges
    /// over and recovers a crashed silo's from the silos' own activations, so activations outlive directory changes.
    /// </remarks>
    public static ISiloBuilder UseHandOverGrainDirectory(this ISiloBuilder silo)
    {
#pragma warning disable ORLEANSEXP003 // experimental in Orleans 10; Orleans' own test clusters run on it by default
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        return silo;
    }
}
