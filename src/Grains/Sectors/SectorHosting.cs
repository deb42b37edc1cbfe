using Microsoft.Extensions.DependencyInjection;

namespace Granary.Grains.Sectors;

/// <summary>Registers the sealing pipeline's settings on a silo.</summary>
public static class SectorHosting
{
    /// <summary>
    /// Makes <paramref name="options"/> the <see cref="SectorPipelineOptions"/> of this silo's sector grains and batchers.
    /// Every sealing silo needs it (with <c>UseSealingWorkers</c> and local storage); it is harmless elsewhere.
    /// </summary>
    public static ISiloBuilder UseSectorPipeline(this ISiloBuilder silo, SectorPipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        silo.Services.AddSingleton(options);
        silo.Services.AddSingleton<StagingFetcher>();
        silo.Services.AddSingleton<PieceSourceReader>();
        return silo;
    }
}
