using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text;
using Granary.Chain;
using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;
using Granary.Gateway.Transfer;
using Granary.Grains;
using Granary.Grains.Deals;
using Granary.Grains.Miner;
using Granary.Grains.Pieces;
using Granary.Grains.Placement;
using Granary.Grains.Sealing.Workers;
using Granary.Grains.Sectors;
using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Silo.Database;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Granary.Gateway.Tests;

/// <summary>
/// The deal flow after <see cref="DealCheckpoint.Transferred"/>, for real: a devnet on a manual clock with a miner of
/// 2 KiB sectors and two clients with market escrow; an in-process cluster of a markets silo (deal grains, publisher,
/// piece directory, staging) and a mining silo (the miner grain with the worker key), grain state in SQLite, so that
/// <see cref="RestartAsync"/> brings up a new cluster on the same state. Deals are offline and imported with
/// <see cref="DealDataImport"/> (the <c>storage-deals import-data</c> path). Every PublishStorageDeals pushed to the chain
/// is recorded (<see cref="PublishPushes"/>). With <c>sealing</c>, a third silo seals (sealing and sector storage, the real
/// engine on 2 KiB sectors) and the clock ticks a block every 20 ms, so a deal can follow its sector to Proving.
/// </summary>
internal sealed class DealFlowCluster : IAsyncDisposable
{
    public static readonly byte[] OwnerKey = Key("owner");
    public static readonly byte[] WorkerKey = Key("worker");
    public static readonly byte[] ClientKey = Key("client");
    public static readonly byte[] LeaverKey = Key("leaver");

    private readonly ManualDevnetClock _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    private readonly string _serviceId = $"deal-flow-{Guid.NewGuid():N}";
    private readonly int _batchSize;
    private readonly TimeSpan _period;
    private readonly bool _sealing;
    private readonly CancellationTokenSource _stop = new();
    private Task _ticker = Task.CompletedTask;
    private DatabaseTarget _database = null!;
    private IChainNode _chain = null!;
    private InProcessTestCluster _cluster = null!;

    private DealFlowCluster(string directory, int batchSize, TimeSpan period, bool sealing)
    {
        Directory = directory;
        _batchSize = batchSize;
        _period = period;
        _sealing = sealing;
    }

    public string Directory { get; }

    /// <summary>The markets silo's staging directory (with <c>sealing</c>, where online deals are pulled to).</summary>
    public string StagingDirectory => Path.Combine(Directory, "staging");

    /// <summary>The markets silo's piece block store.</summary>
    public PieceBlockStore Blocks => _cluster.GetSiloServiceProvider(_cluster.Silos.Single(x => x.Name == "Silo_0").SiloAddress).GetRequiredService<PieceBlockStore>();

    public DevnetNode Devnet { get; private set; } = null!;

    public string Miner { get; private set; } = "";

    /// <summary>The PublishStorageDeals messages pushed to the chain, in order.</summary>
    public ConcurrentQueue<Cid> PublishPushes { get; } = new();

    public IGrainFactory Grains => _cluster.Client;

    public static async Task<DealFlowCluster> StartAsync(string directory, int batchSize = 2, TimeSpan? period = null, bool sealing = false)
    {
        var cluster = new DealFlowCluster(directory, batchSize, period ?? TimeSpan.FromSeconds(5), sealing);
        await cluster.InitializeAsync();
        return cluster;
    }

    /// <summary>The services of silo <paramref name="name"/> (Silo_0 markets, Silo_1 mining, Silo_2 sealing with <c>sealing</c>).</summary>
    public IServiceProvider SiloServices(string name) => _cluster.GetSiloServiceProvider(_cluster.Silos.Single(x => x.Name == name).SiloAddress);

    /// <summary>The sector grain of <paramref name="number"/>.</summary>
    public ISectorGrain Sector(ulong number) => Grains.GetGrain<ISectorGrain>(new SectorId(Address.Parse(Miner).Id, number).Name);

    /// <summary>Attaches a sealing and a long-term storage path to the sealing silo.</summary>
    public async Task AttachStorageAsync()
    {
        var storage = _cluster.GetSiloServiceProvider(_cluster.Silos.Single(x => x.Name == "Silo_2").SiloAddress).GetRequiredService<LocalStorage>();
        foreach (var (name, seal) in new[] { ("seal", true), ("store", false) })
        {
            var path = Path.Combine(Directory, name);
            LocalStorage.Initialize(path, StoragePathConfig.Create(10, seal, !seal, 0));
            await storage.AttachAsync(path);
        }
    }

    /// <summary>Mines a block every 20 ms from now on (the sealing pipeline waits for seeds and messages).</summary>
    public void StartTicking() => _ticker = Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            await _clock.AdvanceAsync(1);
            try
            {
                await Task.Delay(20, _stop.Token); // the block time of the test chain
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    });

    private async Task InitializeAsync()
    {
        Devnet = DevnetNode.Open(new DevnetOptions
        {
            DatabasePath = Path.Combine(Directory, "devnet.db"),
            Clock = _clock,
            Genesis = [.. new[] { OwnerKey, WorkerKey, ClientKey, LeaverKey }.Select(k => new GenesisAccount(k, TokenAmount.FromFil(1_000)))],
        });
        var create = new CreateMinerParams(Secp256k1.AddressOf(OwnerKey), Secp256k1.AddressOf(WorkerKey), 10, [0x00, 0x04, 1, 1, 1, 1], []).ToCbor();
        var created = await PushAndLandAsync(OwnerKey, Address.FromId(SystemActors.Power), ActorMethods.Power.CreateMiner, create, TokenAmount.Zero);
        Miner = CreateMinerReturn.FromCbor(created.Receipt.Return).IdAddress.ToString('t');
        foreach (var key in new[] { ClientKey, LeaverKey })
        {
            var escrow = await PushAndLandAsync(key, Address.FromId(SystemActors.Market), ActorMethods.Market.AddBalance,
                MarketAddBalanceParams.ToCbor(Secp256k1.AddressOf(key)), TokenAmount.FromFil(1));
            Assert.Equal(0, escrow.Receipt.ExitCode);
        }

        _chain = PublishWatcher.Wrap(Devnet, PublishPushes);
        _database = DatabaseTarget.Resolve("sqlite:state.db", Directory);
        await SchemaMigrator.ApplyAsync(_database);
        await DeployAsync();
    }

    /// <summary>Replaces the cluster with a new one on the same grain state (a restart of every silo); the chain stays.</summary>
    public async Task RestartAsync()
    {
        await _cluster.DisposeAsync();
        await DeployAsync();
    }

    private async Task DeployAsync()
    {
        var builder = new InProcessTestClusterBuilder((short)(_sealing ? 3 : 2));
        builder.Options.ServiceId = _serviceId;
        builder.ConfigureSilo((options, silo) =>
        {
            var name = options.SiloName;
            var subsystems = name switch
            {
                "Silo_0" => SubsystemSet.Of(Subsystem.Markets),
                "Silo_2" when _sealing => SubsystemSet.Of(Subsystem.Sealing, Subsystem.SectorStorage),
                _ => SubsystemSet.Of(Subsystem.Mining), // Silo_1, and a mining silo started again (StartMiningAsync)
            };
            var mining = subsystems.Contains(Subsystem.Mining);
            silo.UseSubsystems(subsystems);
            silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
            {
                o.Invariant = _database.Invariant;
                o.ConnectionString = _database.ConnectionString;
            });
            if (_sealing)
            {
                silo.UseAdoNetReminderService(o =>
                {
                    o.Invariant = _database.Invariant;
                    o.ConnectionString = _database.ConnectionString;
                });
                silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
                silo.ConfigureSectorIndex(TimeSpan.FromSeconds(5));
                silo.UseSealingWorkers(subsystems, new SealingWorkerOptions { Cores = 2, Memory = 1L << 30, ScratchLostAfter = TimeSpan.FromSeconds(30) });
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
                if (subsystems.Contains(Subsystem.SectorStorage))
                {
                    var repo = System.IO.Directory.CreateDirectory(Path.Combine(Directory, name)).FullName;
                    silo.AddLocalStorage(_ => new LocalStorageOptions
                    {
                        StorageFile = Path.Combine(repo, "storage.json"),
                        SiloName = name,
                        RemoteUrl = "http://127.0.0.1:9/remote", // one machine: nothing is fetched between silos
                        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
                    });
                }
            }

            silo.Services.AddSingleton(_chain);
            silo.Services.AddSingleton<IMinerKeys>(new TestKeys(mining ? [OwnerKey, WorkerKey] : []));
            silo.Services.Configure<MinerGrainOptions>(o => o.MessageTimeout = TimeSpan.FromSeconds(5));
            silo.Services.AddPieceDirectory(() => new SqliteConnection(_database.ConnectionString), PieceStoreDialect.Sqlite);
            if (_sealing && name == "Silo_0")
            {
                silo.Services.AddDealTransfers(StagingDirectory, TransferOptions.Default with { Attempts = 1, RetryDelay = TimeSpan.Zero });
            }

            silo.Services.Configure<DealmakingOptions>(o =>
            {
                o.AllowPrivateTransferUrls = true; // the test's HTTP server is on 127.0.0.1
                o.Miner = Miner;
                o.MaxStagingBytes = 1L << 30;
                o.StartEpochSealingBuffer = 10;
                o.BlockDelay = TimeSpan.FromSeconds(4);
                o.ExpectedSealDuration = TimeSpan.FromSeconds(20);
                o.MaxDealsPerPublishMsg = _batchSize;
                o.PublishMsgPeriod = _period;
            });
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    /// <summary>Stops the mining silo (the miner grain, with the worker key, is unreachable until <see cref="StartMiningAsync"/>).</summary>
    public async Task StopMiningAsync() =>
        await _cluster.StopSiloAsync(_cluster.Silos.Single(x => x.Name == "Silo_1" || (x.Name != "Silo_0" && !_sealing)));

    /// <summary>Starts a new mining silo.</summary>
    public async Task StartMiningAsync() => await _cluster.StartAdditionalSiloAsync();

    /// <summary>Mines <paramref name="epochs"/> blocks (what is in the pool lands in the first).</summary>
    public Task AdvanceAsync(int epochs = 1) => _clock.AdvanceAsync(epochs);

    public async Task<long> HeadAsync() => (await Devnet.ChainHead()).Height;

    /// <summary>
    /// Proposes an offline deal for <paramref name="data"/> (a 2 KiB piece, starting <paramref name="startIn"/> epochs from
    /// now) signed by <paramref name="clientKey"/>; returns its UUID. <paramref name="signed"/> reuses a signed proposal.
    /// </summary>
    public async Task<(Guid Uuid, ClientDealProposal Signed)> ProposeAsync(byte[] data, byte[]? clientKey = null, long startIn = 60,
        ClientDealProposal? signed = null, DealTransferSpec? transfer = null)
    {
        var uuid = Guid.NewGuid();
        if (signed is null)
        {
            var head = await HeadAsync();
            var commP = CommP.Compute(data);
            var pieceCid = PieceCid.V1(CommP.ZeroPad(commP.Commitment, commP.PaddedSize, 2048));
            var key = clientKey ?? ClientKey;
            var proposal = new DealProposal(pieceCid, 2048, false, Secp256k1.AddressOf(key), Address.Parse(Miner), DealLabel.FromString($"deal {uuid}"),
                head + startIn, head + startIn + DealmakingOptions.FilecoinMinDealDuration, new TokenAmount(100), TokenAmount.Zero, TokenAmount.Zero);
            signed = ClientDealProposal.SignSecp256k1(proposal, key);
        }

        var deal = new ProposedDeal(uuid, transfer is null, signed.ToCbor(), Root.ToString(), transfer ?? new DealTransferSpec("", "", [], 0), false, false, Miner, "Silo_0",
            "12D3KooWTestClient", "/fil/storage/mk/1.2.1");
        var decision = await Grains.GetGrain<IDealGrain>(uuid).Propose(deal);
        Assert.True(decision.Accepted, decision.Message);
        return (uuid, signed);
    }

    /// <summary>Imports <paramref name="data"/> as the deal's file (<c>storage-deals import-data</c>): the deal is Transferred.</summary>
    public async Task ImportAsync(Guid uuid, byte[] data)
    {
        var file = Path.Combine(Directory, $"import-{uuid:N}.car");
        await File.WriteAllBytesAsync(file, data);
        var deal = await DealDataImport.ImportAsync(Grains, "Silo_0", uuid, file);
        Assert.True(deal.Summary.Checkpoint >= DealCheckpoint.Transferred, deal.Summary.Error);
    }

    public Task<DealSnapshot?> StatusAsync(Guid uuid) => Grains.GetGrain<IDealGrain>(uuid).GetStatus();

    /// <summary>Polls the deal until <paramref name="done"/> holds (30 s at most, or <paramref name="patience"/>).</summary>
    public async Task<DealSnapshot> WaitForAsync(Guid uuid, Func<DealSnapshot, bool> done, string what, TimeSpan? patience = null)
    {
        var deadline = DateTimeOffset.UtcNow + (patience ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var status = await StatusAsync(uuid);
            if (status is not null && done(status))
            {
                return status;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"deal {uuid} did not get {what}: it is {status?.Summary.Checkpoint} ({status?.Summary.Error}); history: "
                    + string.Join(" | ", status?.History.Select(h => $"{h.Checkpoint} {h.Note}") ?? []));
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Polls until <paramref name="count"/> PublishStorageDeals messages were pushed (30 s at most).</summary>
    public async Task WaitForPushesAsync(int count)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (PublishPushes.Count < count)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"{PublishPushes.Count} PublishStorageDeals pushed, not {count}");
            await Task.Delay(50);
        }
    }

    /// <summary>Sends a client's market WithdrawBalance of everything and mines it.</summary>
    public async Task WithdrawEscrowAsync(byte[] clientKey)
    {
        var client = Secp256k1.AddressOf(clientKey);
        var landed = await PushAndLandAsync(clientKey, Address.FromId(SystemActors.Market), ActorMethods.Market.WithdrawBalance,
            new MarketWithdrawBalanceParams(client, TokenAmount.FromFil(1)).ToCbor(), TokenAmount.Zero);
        Assert.Equal(0, landed.Receipt.ExitCode);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _ticker;
        await _cluster.DisposeAsync();
        await Devnet.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }

    /// <summary>The payload root the deals name (not checked by the flow).</summary>
    public static readonly Cid Root = Filecoin.Cbor.DagCbor.CidOf(Encoding.ASCII.GetBytes("granary deal flow root"));

    private async Task<Chain.Model.MessageLookup> PushAndLandAsync(byte[] key, Address to, ulong method, byte[] parameters, TokenAmount value)
    {
        var from = Secp256k1.AddressOf(key);
        var message = MessageGas.Default.Apply(new Message(0, to, from, await Devnet.MpoolGetNonce(from), value, 0,
            TokenAmount.Zero, TokenAmount.Zero, method, parameters));
        var cid = await Devnet.MpoolPush(SignedMessage.SignSecp256k1(message, key));
        await _clock.AdvanceAsync(1);
        return await Devnet.StateWaitMsg(cid, 0).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static byte[] Key(string name) => Blake2b.Hash256(Encoding.ASCII.GetBytes($"granary deal flow test {name}"));

    private sealed class TestKeys(byte[][] keys) : IMinerKeys
    {
        public string Source => "the test's keys";

        public byte[]? Find(Address address) => keys.FirstOrDefault(k => Secp256k1.AddressOf(k) == address);
    }
}

/// <summary>An <see cref="IChainNode"/> passing every call through that records each PublishStorageDeals pushed.</summary>
public class PublishWatcher : DispatchProxy
{
    private IChainNode _inner = null!;
    private ConcurrentQueue<Cid> _pushed = null!;

    public static IChainNode Wrap(IChainNode inner, ConcurrentQueue<Cid> pushed)
    {
        var proxy = Create<IChainNode, PublishWatcher>();
        var watcher = (PublishWatcher)(object)proxy;
        watcher._inner = inner;
        watcher._pushed = pushed;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        object? result;
        try
        {
            result = targetMethod!.Invoke(_inner, args);
        }
        catch (TargetInvocationException e)
        {
            ExceptionDispatchInfo.Throw(e.InnerException!);
            throw;
        }

        if (targetMethod.Name == nameof(IChainNode.MpoolPush) && args![0] is SignedMessage { Message: { Method: ActorMethods.Market.PublishStorageDeals } m } && m.To == Address.FromId(SystemActors.Market)
            && result is Task<Cid> push)
        {
            return Observe(push);
        }

        return result;
    }

    private async Task<Cid> Observe(Task<Cid> push)
    {
        var cid = await push;
        _pushed.Enqueue(cid);
        return cid;
    }
}
