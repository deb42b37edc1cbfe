using System.Net;
using System.Security.Cryptography;
using Granary.Grains.Placement;
using Granary.Grains.Storage;
using Granary.Silo.Api;
using Granary.Silo.Database;
using Granary.Silo.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Granary.Grains.Tests;

/// <summary>
/// The sector index on a heterogeneous in-process cluster (grain state in a real SQLite database): a markets
/// silo without sector storage, a sealing and a proving silo that both enable it, each of those two with its
/// own local storage on temp directories and its own <c>/remote</c> endpoint on a real Kestrel listener.
/// </summary>
public sealed class StorageClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly Dictionary<string, Subsystem[]> Roles = new()
    {
        ["Silo_0"] = [Subsystem.Markets],
        ["Silo_1"] = [Subsystem.Sealing, Subsystem.SectorStorage],
        ["Silo_2"] = [Subsystem.Mining, Subsystem.SectorStorage],
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("granary-storage-cluster-").FullName;
    private readonly Dictionary<string, FetchHost> _hosts = [];
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var database = DatabaseTarget.Resolve("sqlite:state.db", _directory);
        await SchemaMigrator.ApplyAsync(database);
        foreach (var silo in new[] { "Silo_1", "Silo_2" })
        {
            _hosts[silo] = await FetchHost.StartAsync();
        }

        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((options, silo) =>
        {
            var name = options.SiloName;
            silo.UseSubsystems(SubsystemSet.Of(Roles[name]));
            silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
            {
                o.Invariant = database.Invariant;
                o.ConnectionString = database.ConnectionString;
            });
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
            silo.ConfigureSectorIndex(HeartbeatTimeout);
            if (_hosts.TryGetValue(name, out var host))
            {
                var repo = Directory.CreateDirectory(Path.Combine(_directory, name)).FullName;
                silo.AddLocalStorage(_ => new LocalStorageOptions
                {
                    StorageFile = Path.Combine(repo, "storage.json"),
                    SiloName = name,
                    RemoteUrl = host.RemoteUrl,
                    FetchToken = host.Tokens.Issue([Permission.Admin]),
                    HeartbeatInterval = TimeSpan.FromMilliseconds(200),
                });
            }
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        foreach (var (name, host) in _hosts)
        {
            host.Serve(Storage(name));
        }
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        foreach (var host in _hosts.Values)
        {
            await host.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_index_activates_only_on_sector_storage_silos_and_answers_every_silo()
    {
        var seal = await Attach("Silo_1", "seal", seal: true, store: false);
        var store = await Attach("Silo_2", "store", seal: false, store: true);
        Assert.Null(Services("Silo_0").GetService<LocalStorage>()); // a markets silo keeps no sector files

        // Calls from the markets silo itself, and from the client, all reach one activation.
        var fromMarkets = Services("Silo_0").GetRequiredService<IGrainFactory>().GetGrain<ISectorIndexGrain>(0);
        var paths = await fromMarkets.ListPaths();
        Assert.Equal([("Silo_1", seal), ("Silo_2", store)], paths.Select(p => (p.Info.Silo, p.Info.Id)));
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(2, (await Index().ListPaths()).Count);
        }

        var activations = await _cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var host = Assert.Single(activations, a => a.GrainType.Contains(nameof(SectorIndexGrain), StringComparison.Ordinal));
        var markets = _cluster.Silos.Single(s => s.Name == "Silo_0").SiloAddress;
        Assert.NotEqual(markets, host.SiloAddress);
    }

    [Fact]
    public async Task A_sector_sealed_on_one_silo_is_found_fetched_by_the_prover_and_moved_to_its_long_term_storage()
    {
        var seal = await Attach("Silo_1", "seal", seal: true, store: false);
        var store = await Attach("Silo_2", "store", seal: false, store: true);
        var sealer = Storage("Silo_1");
        var prover = Storage("Silo_2");
        var proving = new SectorId(1000, 5);
        var moving = new SectorId(1000, 6);
        var files = new Dictionary<SectorId, (byte[] Replica, byte[] Tree)>();
        foreach (var sector in new[] { proving, moving })
        {
            files[sector] = (RandomNumberGenerator.GetBytes(300_000), RandomNumberGenerator.GetBytes(20_000));
            using var task = await sealer.AcquireSectorAsync(sector, SectorFileType.None, SectorFileType.Sealed | SectorFileType.Cache, PathType.Sealing,
                new SectorSpace(0, 300_000, 20_064));
            await File.WriteAllBytesAsync(task.Paths.Sealed, files[sector].Replica);
            await File.WriteAllBytesAsync(Path.Combine(task.Paths.Cache, "sc-02-data-tree-r-last.dat"), files[sector].Tree);
            await File.WriteAllBytesAsync(Path.Combine(task.Paths.Cache, "p_aux"), new byte[64]);
            await task.DeclareAsync();
        }

        var found = Assert.Single(await Index().FindSector(proving, SectorFileType.Sealed));
        Assert.Equal((seal, "Silo_1", $"{_hosts["Silo_1"].RemoteUrl}/sealed/s-t01000-5"), (found.PathId, found.Silo, found.Url));
        Assert.True(found.Available);
        Assert.Equal([store], (await Index().BestAllocation(SectorFileType.Sealed | SectorFileType.Cache, PathType.Storage, 320_064)).Select(p => p.Info.Id));
        Assert.Empty(await Index().BestAllocation(SectorFileType.Sealed, PathType.Storage, 1L << 62));

        // The prover needs the sealed replica and its tree: fetched over HTTP from the sealing silo, byte-exact.
        using (var proof = await prover.AcquireSectorAsync(proving, SectorFileType.Sealed | SectorFileType.Cache, SectorFileType.None, PathType.Storage, SectorSpace.None))
        {
            Assert.Equal(Path.Combine(_directory, "store", "sealed", "s-t01000-5"), proof.Paths.Sealed);
            Assert.Equal(files[proving].Replica, await File.ReadAllBytesAsync(proof.Paths.Sealed));
            Assert.Equal(files[proving].Tree, await File.ReadAllBytesAsync(Path.Combine(proof.Paths.Cache, "sc-02-data-tree-r-last.dat")));
        }

        Assert.Equal([store, seal], (await Index().FindSector(proving, SectorFileType.Sealed)).Select(l => l.PathId)); // primary copy first

        // After finalize the sealing silo, which has no long-term path, hands the sector to the proving silo's.
        var stored = await sealer.MoveToStorageAsync(moving);
        Assert.Equal([store], stored);
        Assert.Null(sealer.LocalFile(moving, SectorFileType.Sealed));
        Assert.Null(sealer.LocalFile(moving, SectorFileType.Cache));
        Assert.Equal(files[moving].Replica, await File.ReadAllBytesAsync(prover.LocalFile(moving, SectorFileType.Sealed)!));
        var located = Assert.Single(await Index().FindSector(moving, SectorFileType.Cache));
        Assert.Equal((store, "Silo_2", true), (located.PathId, located.Silo, located.Primary));

        // Removing a sector everywhere reaches the silos holding its copies.
        await sealer.RemoveAsync(proving, SectorFileTypes.All, everywhere: true);
        Assert.Null(prover.LocalFile(proving, SectorFileType.Sealed));
        Assert.Null(sealer.LocalFile(proving, SectorFileType.Sealed));
        Assert.Empty(await Index().FindSector(proving, SectorFileType.Sealed));
        Assert.Empty(await Index().FindSector(proving, SectorFileType.Cache));
        Assert.NotNull(prover.LocalFile(moving, SectorFileType.Sealed));
    }

    [Fact]
    public async Task A_silo_that_stops_heartbeating_has_its_paths_marked_unavailable()
    {
        var seal = await Attach("Silo_1", "seal", seal: true, store: false);
        var store = await Attach("Silo_2", "store", seal: false, store: true);
        Assert.Equal([store], (await Index().BestAllocation(SectorFileType.Sealed, PathType.Storage, 1)).Select(p => p.Info.Id));

        await _cluster.KillSiloAsync(_cluster.Silos.Single(s => s.Name == "Silo_2"));

        // The index (reactivated from the database if it lived on the dead silo) stops offering the dead silo's path.
        var deadline = DateTime.UtcNow + Patience;
        IReadOnlyList<StoragePathStatus> paths;
        while (true)
        {
            try
            {
                paths = await Index().ListPaths();
                if (!paths.Single(p => p.Info.Id == store).Available)
                {
                    break;
                }
            }
            catch (TimeoutException)
            {
                // the index lived on the dead silo and the cluster has not declared it dead yet
            }

            Assert.True(DateTime.UtcNow < deadline, "the dead silo's path never became unavailable");
            await Task.Delay(100); // polling interval
        }

        Assert.True(paths.Single(p => p.Info.Id == seal).Available);
        Assert.Empty(await Index().BestAllocation(SectorFileType.Sealed, PathType.Storage, 1));
        Assert.Equal([seal], (await Index().BestAllocation(SectorFileType.Sealed, PathType.Sealing, 1)).Select(p => p.Info.Id));
    }

    [Fact]
    public void The_index_state_round_trips_through_the_grain_storage_serializer()
    {
        var config = StoragePathConfig.Parse("""{"ID":"p1","Weight":5,"CanStore":true,"Groups":["hdd"],"AllowTypes":["sealed"],"AllowMiners":["f01000"]}"""u8);
        var index = new SectorIndex(new SectorIndexState(), HeartbeatTimeout);
        index.Attach(new StoragePathInfo(config, "Silo_2", "/mnt/p1", "http://10.0.0.2:2345/remote"), new FsStat(1, 1, 1, 0, 0, 0),
            [new SectorDeclaration(new SectorId(1000, 5), SectorFileType.Sealed, true)]);
        var serializer = Services("Silo_1").GetRequiredService<Orleans.Storage.IGrainStorageSerializer>();

        var restored = serializer.Deserialize<SectorIndexState>(serializer.Serialize(index.State));

        var path = Assert.Single(restored!.Paths);
        Assert.Equal(config, path.Info.Config);
        Assert.Equal(("Silo_2", "/mnt/p1", "http://10.0.0.2:2345/remote"), (path.Info.Silo, path.Info.LocalPath, path.Info.Url));
        Assert.Equal([new SectorDeclaration(new SectorId(1000, 5), SectorFileType.Sealed, true)], path.Sectors);
    }

    private ISectorIndexGrain Index() => _cluster.Client.GetGrain<ISectorIndexGrain>(0);

    private IServiceProvider Services(string silo) => _cluster.GetSiloServiceProvider(_cluster.Silos.Single(s => s.Name == silo).SiloAddress);

    private LocalStorage Storage(string silo) => Services(silo).GetRequiredService<LocalStorage>();

    private async Task<string> Attach(string silo, string name, bool seal, bool store)
    {
        var path = Path.Combine(_directory, name);
        var config = LocalStorage.Initialize(path, StoragePathConfig.Create(10, seal, store, 0));
        await Storage(silo).AttachAsync(path);
        return config.Id;
    }

    /// <summary>A silo's <c>/remote</c> endpoint on a real Kestrel listener, with its own token secret.</summary>
    private sealed class FetchHost : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private RemoteSectorEndpoint? _endpoint;

        private FetchHost(WebApplication app, string url)
        {
            _app = app;
            RemoteUrl = $"{url}/remote";
        }

        public ApiToken Tokens { get; } = new(RandomNumberGenerator.GetBytes(32));

        public string RemoteUrl { get; }

        public static async Task<FetchHost> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            FetchHost? host = null;
            app.Run(c => host!._endpoint is { } endpoint ? endpoint.HandleAsync(c) : Task.CompletedTask);
            await app.StartAsync();
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            host = new FetchHost(app, url);
            return host;
        }

        public void Serve(LocalStorage storage) => _endpoint = new RemoteSectorEndpoint(storage, Tokens, NullLogger<RemoteSectorEndpoint>.Instance);

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
