using System.Data.Common;
using Granary.Grains.Sealing;
using Granary.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Grains.Pieces;

/// <summary>Registers the piece directory's services on a silo.</summary>
public static class PiecesHosting
{
    /// <summary>
    /// The block store on the cluster database (<paramref name="connect"/> opens a new, unopened connection to it) and the
    /// piece reader (local unsealed files through <see cref="LocalStorage"/> when the silo has it, else other silos'
    /// copies through the sector index; a sector with only a sealed replica is unsealed on demand by its
    /// <see cref="IUnsealGrain"/>, waited for up to <paramref name="unsealTimeout"/>, default
    /// <see cref="ClusterUnsealedSectorLocator.DefaultUnsealTimeout"/>).
    /// </summary>
    public static IServiceCollection AddPieceDirectory(this IServiceCollection services, Func<DbConnection> connect, PieceStoreDialect dialect,
        TimeSpan? unsealTimeout = null)
    {
        services.AddSingleton(new PieceBlockStore(connect, dialect));
        services.AddSingleton<IUnsealedSectorLocator>(sp =>
        {
            var grains = sp.GetRequiredService<IGrainFactory>();
            var local = sp.GetService<LocalStorage>();
            return new ClusterUnsealedSectorLocator(
                local is null ? null : sector => local.LocalFile(sector, SectorFileType.Unsealed),
                () => grains.GetGrain<ISectorIndexGrain>(0),
                new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { Timeout = Timeout.InfiniteTimeSpan },
                sector => grains.GetGrain<IUnsealGrain>(sector.Name),
                unsealTimeout);
        });
        services.AddSingleton(sp => new PieceReader(sp.GetRequiredService<IUnsealedSectorLocator>()));
        return services;
    }
}
