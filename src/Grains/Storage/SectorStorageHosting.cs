using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Storage;

/// <summary>Registers sector storage on a silo.</summary>
public static class SectorStorageHosting
{
    /// <summary>
    /// Sets the sector index's heartbeat timeout. Every silo that may host the index (every silo with
    /// <c>EnableSectorStorage</c>) should use the same value.
    /// </summary>
    public static ISiloBuilder ConfigureSectorIndex(this ISiloBuilder silo, TimeSpan heartbeatTimeout)
    {
        silo.Services.Configure<SectorIndexOptions>(o => o.HeartbeatTimeout = heartbeatTimeout);
        return silo;
    }

    /// <summary>
    /// Runs a <see cref="LocalStorage"/> on this silo (a singleton, with its heartbeat service) and the
    /// <see cref="SectorFetcher"/> it downloads with. <paramref name="options"/> is called once, at first use.
    /// </summary>
    public static ISiloBuilder AddLocalStorage(this ISiloBuilder silo, Func<IServiceProvider, LocalStorageOptions> options,
        SectorFetcherOptions? fetcher = null)
    {
        silo.Services.AddSingleton(options);
        silo.Services.AddSingleton(fetcher ?? new SectorFetcherOptions());
        silo.Services.AddSingleton(sp => new SectorFetcher(
            new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { Timeout = Timeout.InfiniteTimeSpan },
            sp.GetRequiredService<SectorFetcherOptions>(),
            sp.GetRequiredService<ILogger<SectorFetcher>>()));
        silo.Services.AddSingleton(sp =>
        {
            var grains = sp.GetRequiredService<IGrainFactory>();
            return new LocalStorage(sp.GetRequiredService<LocalStorageOptions>(), () => grains.GetGrain<ISectorIndexGrain>(0),
                sp.GetRequiredService<SectorFetcher>(), sp.GetRequiredService<ILogger<LocalStorage>>());
        });
        silo.Services.AddHostedService<SectorStorageService>();
        return silo;
    }
}
