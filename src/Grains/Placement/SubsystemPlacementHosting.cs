using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Granary.Grains.Placement;

/// <summary>Registers subsystem roles on a silo.</summary>
public static class SubsystemPlacementHosting
{
    /// <summary>
    /// Publishes <paramref name="subsystems"/> as this silo's metadata and registers the subsystem placement
    /// filter. Every silo must call this, because placement runs on whichever silo takes the first call.
    /// </summary>
    public static ISiloBuilder UseSubsystems(this ISiloBuilder silo, SubsystemSet subsystems)
    {
        silo.UseSiloMetadata(new Dictionary<string, string> { [SubsystemSet.MetadataKey] = subsystems.ToMetadataValue() });
        // Transient: each grain type initializes its own strategy instance from its manifest.
        silo.Services.AddPlacementFilter<SubsystemPlacementFilterStrategy, SubsystemPlacementFilterDirector>(ServiceLifetime.Transient);
        silo.Services.AddSingleton(subsystems);
        return silo;
    }
}
