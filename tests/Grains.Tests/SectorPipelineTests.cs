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
using Granary.Grains.Sealing.Workers;
using Granary.Grains.Sectors;
using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Silo.Database;
using SectorState = Granary.Grains.Sectors.SectorState;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Granary.Grains.Tests;

/// <summary>
/// The sealing pipeline on an in-process heterogeneous cluster: a markets silo, a sealing silo with sector storage
/// (scratch and long-term paths on temp directories), a mining silo holding the keys, grain state and reminders in
/// real SQLite, and a real devnet whose manual clock the test ticks every few milliseconds. Sectors are 2 KiB and
/// sealed with the real engine; the chain verifies their proofs.
/// </summary>
public sealed class SectorPipelineTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static readonly SectorState[] HappyPath =
    [
        SectorState.Packing, SectorState.GetTicket, SectorState.PreCommit1, SectorState.PreCommit2, SectorState.SubmitPreCommitBatch,
        SectorState.PreCommitBatchWait, SectorState.WaitSeed, SectorState.Committing, SectorState.SubmitCommit, SectorState.CommitWait,
        SectorState.FinalizeSector, SectorState.Proving,
    ];

    private SectorCluster _sectors = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_sectors is not null)
        {
            await _sectors.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_pledged_sector_walks_every_state_to_Proving_and_is_active_on_chain_with_its_replica_in_long_term_storage()
    {
        _sectors = await SectorCluster.StartAsync(["Silo_1"], preCommitBatch: 1);
        await _sectors.AttachAsync("Silo_1", "seal", seal: true, store: false);
        var store = await _sectors.AttachAsync("Silo_1", "store", seal: false, store: true);

        var number = await _sectors.Numbers.Pledge(SealProofType.Sector2KiB.Id);
        Assert.Equal(0UL, number);
        // The batchers report their messages one-way, so a sector that saw its proof on chain first can reach Proving
        // a moment before it records the message CIDs: wait for both.
        var done = await _sectors.WaitForAsync(number, s => s.State == SectorState.Proving && s.PreCommitMessage is not null && s.CommitMessage is not null);

        Assert.Equal(HappyPath, done.History.Select(h => h.State));
        Assert.True(done.History.Zip(done.History.Skip(1)).All(p => p.First.Entered <= p.Second.Entered), "history out of time order");
        Assert.All(done.History, h => Assert.Equal("Silo_1", h.Silo));
        Assert.Equal(0, done.Failures);
        Assert.NotNull(done.PreCommitMessage);
        Assert.NotNull(done.CommitMessage);
        Assert.Equal(done.PreCommitEpoch + ChainPolicyDelay, done.SeedEpoch);
        Assert.True(done.TicketEpoch < done.PreCommitEpoch);

        var onChain = await _sectors.Devnet.StateSectorGetInfo(_sectors.Miner, number, null);
        Assert.NotNull(onChain);
        Assert.Equal(SectorCommitments.SealedCid(done.CommR!), onChain.SealedCid);
        Assert.Equal(onChain.Activation, done.Activation);
        Assert.Equal(onChain.Expiration, done.Expiration);
        Assert.Null(await _sectors.Devnet.StateSectorPreCommitInfo(_sectors.Miner, number, null));

        // Finalized: the replica and tree R-last sit in the long-term path, declared in the index; no layers, no unsealed zeros.
        var id = new SectorId(_sectors.MinerId, number);
        var index = _sectors.Client.GetGrain<ISectorIndexGrain>(0);
        Assert.Equal([store], (await index.FindSector(id, SectorFileType.Sealed)).Select(l => l.PathId));
        Assert.Equal([store], (await index.FindSector(id, SectorFileType.Cache)).Select(l => l.PathId));
        Assert.Empty(await index.FindSector(id, SectorFileType.Unsealed));
        var cache = _sectors.Storage("Silo_1").LocalFile(id, SectorFileType.Cache)!;
        Assert.True(File.Exists(Path.Combine(cache, "sc-02-data-tree-r-last.dat")));
        Assert.True(File.Exists(Path.Combine(cache, "p_aux")));
        Assert.Empty(Directory.GetFiles(cache, "sc-02-data-layer-*"));
        Assert.Equal(2048, new FileInfo(_sectors.Storage("Silo_1").LocalFile(id, SectorFileType.Sealed)!).Length);

        var chainView = await _sectors.Sector(number).OnChain();
        Assert.True(chainView.OnChain);
        Assert.True(chainView.Active);
        Assert.Null(await _sectors.Sector(99).Status());
    }

    [Fact]
    public async Task Concurrent_pledges_get_consecutive_numbers_and_numbers_survive_a_silo_restart_and_three_pledges_share_one_pre_commit()
    {
        _sectors = await SectorCluster.StartAsync(["Silo_1"], preCommitBatch: 3, preCommitWait: TimeSpan.FromSeconds(30));
        await _sectors.AttachAsync("Silo_1", "seal", seal: true, store: true);

        var numbers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => _sectors.Numbers.Pledge(SealProofType.Sector2KiB.Id)));
        Assert.Equal([0UL, 1UL, 2UL], numbers.Order());

        // Batch size 3 and a long wait: the three go out together, in one PreCommitSectorBatch2.
        var proven = await Task.WhenAll(numbers.Select(n => _sectors.WaitForAsync(n, s => s.State == SectorState.Proving)));
        var messages = proven.Select(s => s.PreCommitMessage).Distinct().ToList();
        Assert.NotNull(Assert.Single(messages));
        Assert.Single(proven.Select(s => s.PreCommitEpoch).Distinct());
        var landed = await _sectors.Devnet.StateWaitMsg(Granary.Filecoin.Cids.Cid.Parse(messages[0]!), 0);
        Assert.Equal(0, landed.Receipt.ExitCode);

        // Two more at once, then restart whichever silo hosts the allocator: the counter comes back from SQLite.
        var more = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => _sectors.Numbers.Pledge(SealProofType.Sector2KiB.Id)));
        Assert.Equal([3UL, 4UL], more.Order());
        Assert.Equal(new ulong[] { 0, 1, 2, 3, 4 }, await _sectors.Numbers.Numbers());
        var host = await _sectors.HostOfAsync(nameof(SectorNumberGrain));
        await _sectors.Cluster.RestartSiloAsync(_sectors.Cluster.Silos.Single(s => s.SiloAddress == host));
        Assert.Equal(5UL, await _sectors.Numbers.Pledge(SealProofType.Sector2KiB.Id));
        Assert.Equal(6, (await _sectors.Numbers.Numbers()).Length);

        await Assert.ThrowsAsync<ArgumentException>(() => _sectors.Numbers.Pledge(12345));
        Assert.Equal(6, (await _sectors.Numbers.Numbers()).Length); // a refused pledge takes no number
    }

    [Fact]
    public async Task Killing_the_sealing_silo_in_PreCommit1_and_starting_it_again_resumes_the_sector_and_completes()
    {
        _sectors = await SectorCluster.StartAsync(["Silo_1"], preCommitBatch: 1);
        await _sectors.AttachAsync("Silo_1", "seal", seal: true, store: true);
        // The pool runs one PreCommit1 at a time: another sector's PreCommit1 holds it, so ours is persisted and queued.
        using var hold = _sectors.HoldPreCommit1("Silo_1");

        var number = await _sectors.Numbers.Pledge(SealProofType.Sector2KiB.Id);
        await _sectors.WaitForAsync(number, s => s.State == SectorState.PreCommit1);
        var before = _sectors.Silo("Silo_1").SiloAddress;
        await _sectors.Cluster.KillSiloAsync(_sectors.Silo("Silo_1"));
        // Started again on the same repo (its storage.json and files). The in-process harness gives it a new endpoint, so
        // the scratch holder it recorded counts as gone and, after ScratchLostAfter, lost: the sector restarts from its
        // pieces there. (A real silo restarted on its host keeps its endpoint and goes on from its files.)
        var restarted = await _sectors.Cluster.StartSiloAsync(1, _sectors.Cluster.Options);
        _sectors.Started.Add(restarted);
        Assert.Equal("Silo_1", restarted.Name);
        Assert.NotEqual(before, restarted.SiloAddress);

        // The watchdog reminder wakes the sector on the new silo; it goes on from the persisted PreCommit1.
        var done = await _sectors.WaitForAsync(number, s => s.State == SectorState.Proving);
        var states = done.History.Select(h => h.State).ToList();
        Assert.Equal(HappyPath[..3], states[..3]);
        Assert.Equal(HappyPath, states.Skip(states.LastIndexOf(SectorState.Packing)));
        Assert.All(done.History.Skip(3), h => Assert.Equal("Silo_1", h.Silo));
        Assert.True(done.Restarts <= 1);
        Assert.NotNull(await _sectors.Devnet.StateSectorGetInfo(_sectors.Miner, number, null));
    }

    [Fact]
    public async Task A_sealing_silo_gone_for_good_has_its_sector_restarted_from_its_pieces_on_the_other_sealing_silo()
    {
        _sectors = await SectorCluster.StartAsync(["Silo_1", "Silo_3"], preCommitBatch: 1);
        await _sectors.AttachAsync("Silo_1", "seal1", seal: true, store: true);
        await _sectors.AttachAsync("Silo_3", "seal3", seal: true, store: true);
        using var hold1 = _sectors.HoldPreCommit1("Silo_1");
        using var hold3 = _sectors.HoldPreCommit1("Silo_3");

        var number = await _sectors.Numbers.Pledge(SealProofType.Sector2KiB.Id);
        var waiting = await _sectors.WaitForAsync(number, s => s.State == SectorState.PreCommit1);
        var lost = waiting.Silo;
        var other = lost == "Silo_1" ? "Silo_3" : "Silo_1";
        await _sectors.Cluster.KillSiloAsync(_sectors.Silo(lost));
        (other == "Silo_1" ? hold1 : hold3).Dispose();

        var done = await _sectors.WaitForAsync(number, s => s.State == SectorState.Proving);
        Assert.Equal(1, done.Restarts);
        Assert.Contains(done.History, h => h.State == SectorState.Packing && h.Note.Contains("lost", StringComparison.Ordinal) && h.Silo == other);
        Assert.Equal(other, done.History[^1].Silo);
        var id = new SectorId(_sectors.MinerId, number);
        Assert.NotNull(_sectors.Storage(other).LocalFile(id, SectorFileType.Sealed));
        Assert.NotNull(await _sectors.Devnet.StateSectorGetInfo(_sectors.Miner, number, null));
    }

    [Fact]
    public async Task A_stage_without_storage_room_fails_keeps_its_error_and_recovers_by_retry_once_room_is_added()
    {
        _sectors = await SectorCluster.StartAsync(["Silo_1"], preCommitBatch: 1);
        await _sectors.AttachAsync("Silo_1", "tiny", seal: true, store: true, maxStorage: 1000);

        var number = await _sectors.Numbers.Pledge(SealProofType.Sector2KiB.Id);
        var failed = await _sectors.WaitForAsync(number, s => s.State == SectorState.AddPieceFailed);
        Assert.Contains("InsufficientSpace", failed.LastError, StringComparison.Ordinal);
        Assert.NotNull(failed.RetryAt);
        Assert.True(failed.Failures >= 1);

        await _sectors.AttachAsync("Silo_1", "roomy", seal: true, store: true);
        var done = await _sectors.WaitForAsync(number, s => s.State == SectorState.Proving);
        Assert.Contains("InsufficientSpace", done.LastError, StringComparison.Ordinal); // kept for `sectors status`
        var states = done.History.Select(h => h.State).ToList();
        Assert.Equal(SectorState.Packing, states[0]);
        Assert.Equal(SectorState.AddPieceFailed, states[1]);
        Assert.Equal(HappyPath[1..], states.SkipWhile(s => s is SectorState.Packing or SectorState.AddPieceFailed));
        Assert.Contains(done.History, h => h.State == SectorState.Packing && h.Note.StartsWith("retry", StringComparison.Ordinal));

        // Removing it deletes its files everywhere; a second removal is a no-op and a sector that never was is refused.
        await _sectors.Sector(number).Remove();
        var removed = await _sectors.WaitForAsync(number, s => s.State == SectorState.Removed);
        Assert.Equal(SectorState.Removing, removed.History[^2].State);
        Assert.Empty(await _sectors.Client.GetGrain<ISectorIndexGrain>(0).FindSector(new SectorId(_sectors.MinerId, number), SectorFileType.Sealed));
        await _sectors.Sector(number).Remove();
        await Assert.ThrowsAsync<InvalidOperationException>(() => _sectors.Sector(42).Remove());
    }

    private const long ChainPolicyDelay = 10; // ChainPolicy.Devnet.PreCommitChallengeDelay
}

/// <summary>The cluster, devnet and block ticker the sector tests share.</summary>
internal sealed class SectorCluster : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private static readonly byte[] OwnerKey = Key("owner");
    private static readonly byte[] WorkerKey = Key("worker");
    private readonly string _directory = Directory.CreateTempSubdirectory("granary-sectors-").FullName;
    private readonly ManualDevnetClock _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    private readonly CancellationTokenSource _stop = new();
    private Task _ticker = Task.CompletedTask;

    private SectorCluster()
    {
    }

    public DevnetNode Devnet { get; private set; } = null!;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public Address Miner { get; private set; } = null!;

    public ulong MinerId => Miner.Id;

    public IClusterClient Client => Cluster.Client;

    public ISectorNumberGrain Numbers => Client.GetGrain<ISectorNumberGrain>((long)MinerId);

    public static async Task<SectorCluster> StartAsync(string[] sealing, int preCommitBatch, TimeSpan? preCommitWait = null)
    {
        var sectors = new SectorCluster();
        await sectors.InitializeAsync(sealing, preCommitBatch, preCommitWait ?? TimeSpan.FromMilliseconds(300));
        return sectors;
    }

    public ISectorGrain Sector(ulong number) => Client.GetGrain<ISectorGrain>(new SectorId(MinerId, number).Name);

    public Orleans.TestingHost.InProcessSiloHandle Silo(string name) =>
        Started.LastOrDefault(s => s.Name == name && s.IsActive) ?? Cluster.Silos.Single(s => s.Name == name);

    public string Endpoint(string name) => Silo(name).SiloAddress.Endpoint.ToString();

    public LocalStorage Storage(string name) => Cluster.GetSiloServiceProvider(Silo(name).SiloAddress).GetRequiredService<LocalStorage>();

    public async Task<string> AttachAsync(string silo, string name, bool seal, bool store, ulong maxStorage = 0)
    {
        var path = Path.Combine(_directory, name);
        var config = LocalStorage.Initialize(path, StoragePathConfig.Create(10, seal, store, maxStorage));
        await Storage(silo).AttachAsync(path);
        return config.Id;
    }

    /// <summary>Occupies the one PreCommit1 slot of <paramref name="silo"/>'s pool until disposed (or the silo stops).</summary>
    public IDisposable HoldPreCommit1(string silo)
    {
        var pool = Cluster.GetSiloServiceProvider(Silo(silo).SiloAddress).GetRequiredService<SealingWorkerPool>();
        var release = new CancellationTokenSource();
        _ = pool.RunAsync(new SealingTask(new SectorId(MinerId, 1_000_000), SealingTaskType.PreCommit1, SealProofType.Sector2KiB),
            (ct, _) => WaitHandle.WaitAny([ct.WaitHandle, release.Token.WaitHandle]), release.Token);
        return new Release(release);
    }

    /// <summary>Silos started outside the cluster's own list (a silo started again after a kill).</summary>
    public List<Orleans.TestingHost.InProcessSiloHandle> Started { get; } = [];

    public async Task<SectorSnapshot> WaitForAsync(ulong number, Func<SectorSnapshot, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        SectorSnapshot? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await Sector(number).Status();
                if (last is not null && done(last))
                {
                    return last;
                }
            }
            catch (Exception e) when (e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or SubsystemUnavailableException)
            {
                // The silo hosting it is going away; ask again.
            }

            await Task.Delay(25); // polling the grain's state, not standing in for work
        }

        throw new TimeoutException($"sector {number} did not get there in {Patience}: last {last?.State} "
            + $"({string.Join(" > ", last?.History.Select(h => $"{h.State}@{h.Silo}: {h.Note}") ?? [])}), last error {last?.LastError}");
    }

    public async Task<SiloAddress> HostOfAsync(string grainClass)
    {
        var activations = await Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return activations.First(a => a.GrainType.Contains(grainClass, StringComparison.Ordinal)).SiloAddress;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _ticker;
        foreach (var silo in Started)
        {
            await silo.DisposeAsync();
        }

        await Cluster.DisposeAsync();
        await Devnet.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task InitializeAsync(string[] sealing, int preCommitBatch, TimeSpan preCommitWait)
    {
        Devnet = DevnetNode.Open(new DevnetOptions
        {
            DatabasePath = Path.Combine(_directory, "devnet.db"),
            Clock = _clock,
            Genesis = [.. new[] { OwnerKey, WorkerKey }.Select(k => new GenesisAccount(k, TokenAmount.FromFil(1_000)))],
        });
        var owner = Secp256k1.AddressOf(OwnerKey);
        var worker = Secp256k1.AddressOf(WorkerKey);
        var create = new CreateMinerParams(owner, worker, SealProofType.Sector2KiB.WindowPoStProofId + 5, [0x00, 0x04, 1, 1, 1, 1], []).ToCbor();
        var message = MessageGas.Default.Apply(new Message(0, Address.FromId(SystemActors.Power), owner, 0, TokenAmount.Zero, 0,
            TokenAmount.Zero, TokenAmount.Zero, ActorMethods.Power.CreateMiner, create));
        var cid = await Devnet.MpoolPush(SignedMessage.SignSecp256k1(message, OwnerKey));
        await _clock.AdvanceAsync(1);
        Miner = CreateMinerReturn.FromCbor((await Devnet.StateWaitMsg(cid, 0)).Receipt.Return).IdAddress;

        var database = DatabaseTarget.Resolve("sqlite:state.db", _directory);
        await SchemaMigrator.ApplyAsync(database);
        var builder = new InProcessTestClusterBuilder((short)(3 + sealing.Length - 1));
        var basePort = 20_000 + (Random.Shared.Next(0, 2_000) * 10);
        builder.ConfigureSilo((options, silo) =>
        {
            var name = options.SiloName;
            var subsystems = name switch
            {
                "Silo_0" => SubsystemSet.Of(Subsystem.Markets),
                "Silo_2" => SubsystemSet.Of(Subsystem.Mining),
                _ when sealing.Contains(name) => SubsystemSet.Of(Subsystem.Sealing, Subsystem.SectorStorage),
                _ => SubsystemSet.Of(Subsystem.Markets),
            };
            silo.UseSubsystems(subsystems);
            // A fixed endpoint per silo name: a silo started again after a kill is "the same machine", as a restarted
            // granary process on its host is, so the scratch files it made are still its own.
            var port = basePort + (2 * int.Parse(name["Silo_".Length..], System.Globalization.CultureInfo.InvariantCulture));
            silo.Configure<EndpointOptions>(o =>
            {
                o.SiloPort = port;
                o.GatewayPort = port + 1;
            });
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
            silo.Services.AddSingleton<IChainNode>(Devnet);
            silo.Services.AddSingleton<IMinerKeys>(new Keys(name == "Silo_2" ? [OwnerKey, WorkerKey] : []));
            silo.Services.Configure<MinerGrainOptions>(o => o.MessageTimeout = TimeSpan.FromSeconds(20));
            silo.ConfigureSectorIndex(TimeSpan.FromSeconds(5));
            silo.UseSealingWorkers(subsystems, new SealingWorkerOptions
            {
                Cores = 2,
                Memory = 1L << 30,
                ScratchLostAfter = TimeSpan.FromSeconds(2),
                Tasks = [new SealingTaskOverride(SealingTaskType.PreCommit1, 1, null, null, null)],
            });
            silo.UseSectorPipeline(new SectorPipelineOptions
            {
                PreCommitBatchSize = preCommitBatch,
                PreCommitBatchWait = preCommitWait,
                CommitBatchSize = 3,
                CommitBatchWait = TimeSpan.FromMilliseconds(300),
                RetryBackoff = TimeSpan.FromMilliseconds(200),
                MaxRetryBackoff = TimeSpan.FromSeconds(1),
                ChainPollInterval = TimeSpan.FromMilliseconds(50),
                WatchdogPeriod = TimeSpan.FromSeconds(2),
            });
            if (subsystems.Contains(Subsystem.SectorStorage))
            {
                var repo = Directory.CreateDirectory(Path.Combine(_directory, name)).FullName;
                silo.AddLocalStorage(_ => new LocalStorageOptions
                {
                    StorageFile = Path.Combine(repo, "storage.json"),
                    SiloName = name,
                    RemoteUrl = "http://127.0.0.1:9/remote", // nothing is fetched between silos in these tests
                    HeartbeatInterval = TimeSpan.FromMilliseconds(500),
                });
            }
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        // Blocks every 20 ms: the pipeline waits for the seed (10 epochs) and for its messages to land.
        _ticker = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                await _clock.AdvanceAsync(1);
                try
                {
                    await Task.Delay(20, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    private static byte[] Key(string name) => Blake2b.Hash256(System.Text.Encoding.ASCII.GetBytes($"granary sector test {name}"));

    private sealed class Release(CancellationTokenSource source) : IDisposable
    {
        public void Dispose() => source.Cancel();
    }

    private sealed class Keys(byte[][] keys) : IMinerKeys
    {
        public string Source => "the test's keys";

        public byte[]? Find(Address address) => keys.FirstOrDefault(k => Secp256k1.AddressOf(k) == address);
    }
}
