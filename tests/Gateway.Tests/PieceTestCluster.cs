using System.Collections.Concurrent;
using Granary.Grains;
using Granary.Grains.Pieces;
using Granary.Grains.Placement;
using Granary.Grains.Storage;
using Granary.Silo.Database;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Granary.Gateway.Tests;

/// <summary>
/// One markets silo in process with the piece directory on a real SQLite database (grain state and block rows), and a
/// sector locator that reads unsealed sector files registered by the test. <see cref="RestartAsync"/> replaces the
/// cluster with a new one on the same database, as a restart of the process would.
/// </summary>
internal sealed class PieceTestCluster : IAsyncDisposable
{
    private readonly DatabaseTarget _database;
    private readonly string _serviceId = $"pieces-{Guid.NewGuid():N}";
    private InProcessTestCluster _cluster = null!;

    private PieceTestCluster(string directory)
    {
        Directory = directory;
        _database = DatabaseTarget.Resolve("sqlite:state.db", directory);
        Blocks = new PieceBlockStore(Connect, PieceStoreDialect.Sqlite);
        Reader = new PieceReader(Locator());
    }

    public string Directory { get; }

    /// <summary>Unsealed sector files by sector, as the test writes them.</summary>
    public ConcurrentDictionary<SectorId, string> UnsealedFiles { get; } = new();

    public IGrainFactory Grains => _cluster.Client;

    /// <summary>A block store and piece reader configured as the silo's (for an HTTP endpoint the test hosts).</summary>
    public PieceBlockStore Blocks { get; }

    public PieceReader Reader { get; }

    public static async Task<PieceTestCluster> StartAsync(string directory)
    {
        var cluster = new PieceTestCluster(directory);
        await SchemaMigrator.ApplyAsync(cluster._database);
        await cluster.DeployAsync();
        return cluster;
    }

    public async Task RestartAsync()
    {
        await _cluster.DisposeAsync();
        await DeployAsync();
    }

    private async Task DeployAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        // Grain state is keyed by the service id: a restarted cluster must keep it to find its state.
        builder.Options.ServiceId = _serviceId;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UseSubsystems(SubsystemSet.Of(Subsystem.Markets));
            silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
            {
                o.Invariant = _database.Invariant;
                o.ConnectionString = _database.ConnectionString;
            });
            silo.Services.AddPieceDirectory(Connect, PieceStoreDialect.Sqlite);
            silo.Services.AddSingleton<IUnsealedSectorLocator>(Locator());
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    private ClusterUnsealedSectorLocator Locator() =>
        new(sector => UnsealedFiles.TryGetValue(sector, out var file) ? file : null, null, new HttpClient());

    private SqliteConnection Connect() => new(_database.ConnectionString);

    public async ValueTask DisposeAsync()
    {
        await _cluster.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}
