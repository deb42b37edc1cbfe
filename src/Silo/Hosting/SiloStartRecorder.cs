using Granary.Grains.Cluster;
using Granary.Grains.Placement;
using Orleans.Runtime;

namespace Granary.Silo.Hosting;

/// <summary>Adds this silo's start to the cluster history once the silo is active.</summary>
internal sealed class SiloStartRecorder(IGrainFactory grains, ILocalSiloDetails local, SubsystemSet subsystems) : IStartupTask
{
    public Task Execute(CancellationToken cancellationToken) =>
        grains.GetGrain<IClusterHistoryGrain>(0).RecordStart(new SiloStart(
            local.Name, local.SiloAddress.ToParsableString(), subsystems.ToMetadataValue(), SiloIdentity.Version, DateTimeOffset.UtcNow));
}
