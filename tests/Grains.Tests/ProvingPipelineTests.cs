using System.Net;
using System.Security.Cryptography;
using Granary.Chain;
using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Devnet.Mining;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;
using Granary.Grains.Miner;
using Granary.Grains.Placement;
using Granary.Grains.Proving;
using Granary.Grains.Sealing.Workers;
using Granary.Grains.Sectors;
using Granary.Grains.Storage;
using Granary.Proofs;
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
using Orleans.TestingHost;
using SectorState = Granary.Grains.Sectors.SectorState;

namespace Granary.Grains.Tests;

/// <summary>
/// Sealing and proving end to end on one in-process heterogeneous cluster: a markets silo, a sealing silo (a seal path
/// only), a proving silo (a long-term store path), grain state and reminders in real SQLite, each storage silo's
/// <c>/remote</c> endpoint on a real Kestrel listener, and a real devnet on a manual clock that verifies the PoRep
/// and the WindowPoSt. A pledged 2 KiB sector walks the pipeline on the sealing silo, its replica moves to the
/// proving silo at finalize, and the proving silo proves it in the deadline the chain gave it.
/// </summary>
public sealed class ProvingPipelineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private static readonly byte[] OwnerKey = Blake2b.Hash256("granary proving pipeline test owner"u8);
    private static readonly byte[] WorkerKey = Blake2b.Hash256("granary proving pipeline test worker"u8);

    [Fact]
    public async Task A_pledged_sector_reaches_Proving_and_is_proven_in_its_deadline_with_the_devnet_verifying_the_WindowPoSt()
    {
        var directory = Directory.CreateTempSubdirectory("granary-proving-pipeline-").FullName;
        var clock = new ManualDevnetClock(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var tokens = new ApiToken(RandomNumberGenerator.GetBytes(32));
        var hosts = new Dictionary<string, FetchHost>();
        await using var devnet = DevnetNode.Open(new DevnetOptions
        {
            DatabasePath = Path.Combine(directory, "devnet.db"),
            Clock = clock,
            Genesis = [new GenesisAccount(OwnerKey, TokenAmount.FromFil(1_000)), new GenesisAccount(WorkerKey, TokenAmount.FromFil(1_000))],
        });
        InProcessTestCluster? cluster = null;
        using var stopTicker = new CancellationTokenSource();
        var ticker = Task.CompletedTask;
        try
        {
            var owner = Secp256k1.AddressOf(OwnerKey);
            var create = new CreateMinerParams(owner, Secp256k1.AddressOf(WorkerKey), SealProofType.Sector2KiB.WindowPoStProofId, [0x00, 0x04, 1, 1, 1, 1], []).ToCbor();
            var message = MessageGas.Default.Apply(new Message(0, Address.FromId(SystemActors.Power), owner, 0, TokenAmount.FromFil(100), 0,
                TokenAmount.Zero, TokenAmount.Zero, ActorMethods.Power.CreateMiner, create));
            var cid = await devnet.MpoolPush(SignedMessage.SignSecp256k1(message, OwnerKey));
            await clock.AdvanceAsync(1);
            var miner = CreateMinerReturn.FromCbor((await devnet.StateWaitMsg(cid, 0)).Receipt.Return).IdAddress;
            var minerText = miner.ToString('t');
            var pushes = PushLog.Wrap(devnet, out var chain);

            foreach (var name in new[] { "Silo_1", "Silo_2" })
            {
                hosts[name] = await FetchHost.StartAsync(tokens);
            }

            var database = DatabaseTarget.Resolve("sqlite:state.db", directory);
            await SchemaMigrator.ApplyAsync(database);
            var builder = new InProcessTestClusterBuilder(3);
            builder.ConfigureSilo((options, silo) =>
            {
                var name = options.SiloName;
                var subsystems = name switch
                {
                    "Silo_1" => SubsystemSet.Of(Subsystem.Sealing, Subsystem.SectorStorage),
                    "Silo_2" => SubsystemSet.Of(Subsystem.Mining, Subsystem.SectorStorage),
                    _ => SubsystemSet.Of(Subsystem.Markets),
                };
                silo.UseSubsystems(subsystems);
                silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
                {
                    o.Invariant = database.Invariant;
                    o.ConnectionString = database.ConnectionString;
                });
                silo.UseAdoNetReminderService(o =>
                {
                    o.Invariant = database.Invariant;
                    o.ConnectionString = database.ConnectionString;
                });
                silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
                silo.Configure<ClusterMembershipOptions>(o =>
                {
                    o.ProbeTimeout = TimeSpan.FromSeconds(1);
                    o.NumMissedProbesLimit = 2;
                    o.NumVotesForDeathDeclaration = 1;
                });
                silo.Services.AddSingleton(chain);
                silo.Services.AddSingleton<IMinerKeys>(new Keys(subsystems.Contains(Subsystem.Mining) ? [OwnerKey, WorkerKey] : []));
                silo.Services.Configure<MinerGrainOptions>(o => o.MessageTimeout = TimeSpan.FromSeconds(30));
                silo.ConfigureSectorIndex(TimeSpan.FromSeconds(5));
                silo.UseSealingWorkers(subsystems, new SealingWorkerOptions { Cores = 2, Memory = 1L << 30, ScratchLostAfter = TimeSpan.FromMinutes(5) });
                silo.UseSectorPipeline(new SectorPipelineOptions
                {
                    PreCommitBatchSize = 1,
                    PreCommitBatchWait = TimeSpan.FromMilliseconds(300),
                    CommitBatchSize = 1,
                    CommitBatchWait = TimeSpan.FromMilliseconds(300),
                    RetryBackoff = TimeSpan.FromMilliseconds(200),
                    MaxRetryBackoff = TimeSpan.FromSeconds(1),
                    ChainPollInterval = TimeSpan.FromMilliseconds(50),
                    WatchdogPeriod = TimeSpan.FromSeconds(2),
                });
                if (hosts.TryGetValue(name, out var host))
                {
                    var repo = Directory.CreateDirectory(Path.Combine(directory, name)).FullName;
                    silo.AddLocalStorage(_ => new LocalStorageOptions
                    {
                        StorageFile = Path.Combine(repo, "storage.json"),
                        SiloName = name,
                        RemoteUrl = host.RemoteUrl,
                        FetchToken = tokens.Issue([Permission.Admin]),
                        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
                    });
                }

                silo.UseProving(subsystems, new ProvingOptions { ProofThreads = 2 }, () => minerText);
            });
            cluster = builder.Build();
            await cluster.DeployAsync();
            var client = cluster.Client;
            IServiceProvider Services(string silo) => cluster.GetSiloServiceProvider(cluster.Silos.Single(s => s.Name == silo).SiloAddress);
            foreach (var (name, host) in hosts)
            {
                host.Serve(Services(name).GetRequiredService<LocalStorage>());
            }

            var sealPath = Path.Combine(directory, "seal");
            LocalStorage.Initialize(sealPath, StoragePathConfig.Create(10, true, false, 0));
            await Services("Silo_1").GetRequiredService<LocalStorage>().AttachAsync(sealPath);
            var storePath = Path.Combine(directory, "store");
            var store = LocalStorage.Initialize(storePath, StoragePathConfig.Create(10, false, true, 0)).Id;
            await Services("Silo_2").GetRequiredService<LocalStorage>().AttachAsync(storePath);

            // Sealing: blocks every 20 ms while the pipeline waits for its seed and its messages.
            ticker = Task.Run(async () =>
            {
                while (!stopTicker.IsCancellationRequested)
                {
                    await clock.AdvanceAsync(1);
                    try
                    {
                        await Task.Delay(20, stopTicker.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            });
            var number = await client.GetGrain<ISectorNumberGrain>((long)miner.Id).Pledge(SealProofType.Sector2KiB.Id);
            var sector = client.GetGrain<ISectorGrain>(new SectorId(miner.Id, number).Name);
            var proving = await WaitAsync(async () => await sector.Status() is { State: SectorState.Proving } s ? s : null, "the sector to reach Proving");
            await stopTicker.CancelAsync();
            await ticker;

            Assert.All(proving.History.Where(h => h.State != SectorState.Proving), h => Assert.Equal("Silo_1", h.Silo));
            Assert.Contains(store, proving.History[^1].Note);
            var id = new SectorId(miner.Id, number);
            Assert.Equal(["Silo_2"], (await client.GetGrain<ISectorIndexGrain>(0).FindSector(id, SectorFileType.Sealed)).Select(l => l.Silo));
            Assert.NotNull(Services("Silo_2").GetRequiredService<LocalStorage>().LocalFile(id, SectorFileType.Sealed));

            // Proving: from just before the sector's deadline's fault check, one block at a time, each acted on.
            var scheduler = client.GetGrain<IProvingSchedulerGrain>(minerText);
            async Task SettledAsync()
            {
                var head = (await devnet.ChainHead()).Height;
                await WaitAsync(async () => (await scheduler.Status()).Settled >= head ? (object?)true : null, $"the scheduler to act on head {head}");
            }

            var (x, partition) = await LocateAsync(devnet, miner, number);
            var window = ProvingTick.From(await devnet.StateMinerProvingDeadline(miner, null)).Window(x);
            var jump = window.Open - (2 * window.ChallengeWindow) - 2 - (await devnet.ChainHead()).Height;
            if (jump > 0)
            {
                await clock.AdvanceAsync((int)jump);
            }

            await SettledAsync();
            long? provenAt = null;
            while ((await devnet.ChainHead()).Height + 1 < window.Close)
            {
                await clock.AdvanceAsync(1);
                await SettledAsync();
                if (provenAt is null && (await devnet.StateMinerDeadlines(miner, null))[(int)x].PostSubmissions.Contains(partition))
                {
                    provenAt = (await devnet.ChainHead()).Height;
                }
            }

            Assert.NotNull(provenAt);
            Assert.InRange(provenAt.Value, window.Open, window.Close - 1);
            var deadline = client.GetGrain<IDeadlineGrain>(DeadlineGrain.Key(minerText, x));
            var post = await WaitAsync(async () => (await deadline.Snapshot()).Current?.Posts is [{ Status: MessageStatus.Landed } landed] ? landed : null,
                "the WindowPoSt's landing to be recorded");
            Assert.Equal(("Silo_2", 1), (post.Silo, post.ProvenSectors));
            Assert.Empty(post.Skipped);
            var landedMessage = await devnet.StateWaitMsg(Granary.Filecoin.Cids.Cid.Parse(post.Message!), 0);
            Assert.Equal(0, landedMessage.Receipt.ExitCode); // the devnet verified the proof
            Assert.Equal(1, pushes.PoSts(x));

            // Past the close: no fault, the miner has the sector's power, and the sector is still Proving.
            await clock.AdvanceAsync(2);
            await SettledAsync();
            Assert.Equal(0, (await devnet.StateMinerFaults(miner, null)).Count);
            Assert.Equal(2048, (await devnet.StateMinerPower(miner, null)).Miner.RawBytePower);
            Assert.Equal(SectorState.Proving, (await sector.Status())!.State);
            var row = (await scheduler.Deadlines())[(int)x];
            Assert.Equal((1, 1, 0), (row.Partitions, row.Sectors, row.Faults));
            Assert.StartsWith("landed ", row.PoSt);
        }
        finally
        {
            await stopTicker.CancelAsync();
            await ticker;
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }

            foreach (var host in hosts.Values)
            {
                await host.DisposeAsync();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(ulong Deadline, ulong Partition)> LocateAsync(DevnetNode devnet, Address miner, ulong sector)
    {
        for (ulong d = 0; d < 48; d++)
        {
            var partitions = await devnet.StateMinerPartitions(miner, d, null);
            for (var p = 0; p < partitions.Count; p++)
            {
                if (partitions[p].AllSectors.Contains(sector))
                {
                    return (d, (ulong)p);
                }
            }
        }

        throw new InvalidOperationException($"sector {sector} is in no partition");
    }

    private static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, string what)
        where T : class
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                if (await probe() is { } done)
                {
                    return done;
                }
            }
            catch (Exception e) when (e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException)
            {
                // a silo is busy or moving the grain; ask again
            }

            Assert.True(DateTime.UtcNow < until, $"timed out after {Patience} waiting for {what}");
            await Task.Delay(20); // polling grain state, not standing in for work
        }
    }

    private sealed class Keys(byte[][] keys) : IMinerKeys
    {
        public string Source => "the test's keys";

        public byte[]? Find(Address address) => keys.FirstOrDefault(k => Secp256k1.AddressOf(k) == address);
    }

    /// <summary>A silo's <c>/remote</c> endpoint on a real Kestrel listener; every silo shares one token secret.</summary>
    private sealed class FetchHost : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ApiToken _tokens;
        private RemoteSectorEndpoint? _endpoint;

        private FetchHost(WebApplication app, string url, ApiToken tokens)
        {
            _app = app;
            _tokens = tokens;
            RemoteUrl = $"{url}/remote";
        }

        public string RemoteUrl { get; }

        public static async Task<FetchHost> StartAsync(ApiToken tokens)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            FetchHost? host = null;
            app.Run(c => host!._endpoint is { } endpoint ? endpoint.HandleAsync(c) : Task.CompletedTask);
            await app.StartAsync();
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            host = new FetchHost(app, url, tokens);
            return host;
        }

        public void Serve(LocalStorage storage) => _endpoint = new RemoteSectorEndpoint(storage, _tokens, NullLogger<RemoteSectorEndpoint>.Instance);

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
