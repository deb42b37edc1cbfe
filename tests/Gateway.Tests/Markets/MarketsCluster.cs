using System.Text;
using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;
using Granary.Gateway.Protocols;
using Granary.Gateway.Wire;
using Granary.Grains;
using Granary.Grains.Deals;
using Granary.Grains.Miner;
using Granary.Grains.Pieces;
using Granary.Grains.Placement;
using Granary.Libp2p.Host;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;
using Granary.Silo.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Granary.Gateway.Tests.Markets;

/// <summary>
/// Two gateways and a miner, for real: a devnet on a manual clock (every silo's chain) with a miner of 2 KiB sectors
/// created on it and a client with 10 FIL in market escrow; an in-process cluster of two markets silos and a mining
/// silo (grain state in SQLite); on each markets silo a libp2p host serving <see cref="MarketsHandlers"/>, as
/// <c>MarketsProtocols</c> does in a granary silo; and a client libp2p host that dials them.
/// </summary>
public class MarketsCluster : IAsyncLifetime
{
    /// <summary>Epochs a deal's start must be ahead (the cluster's <c>StartEpochSealingBuffer</c>).</summary>
    public const long SealingBuffer = 100;

    /// <summary>The expected seal duration in epochs (10 minutes at 4 s).</summary>
    public const long SealEpochs = 150;

    /// <summary>The cluster's <c>MaxConcurrentTransfers</c>.</summary>
    public const int MaxTransfers = 4;

    public static readonly byte[] OwnerKey = Key("owner");
    public static readonly byte[] WorkerKey = Key("worker");
    public static readonly byte[] ClientKey = Key("client");
    public static readonly byte[] PoorKey = Key("poor client");
    public static readonly Address Worker = Secp256k1.AddressOf(WorkerKey);
    public static readonly Address Client = Secp256k1.AddressOf(ClientKey);
    public static readonly Address Poor = Secp256k1.AddressOf(PoorKey);

    private readonly string _directory = Directory.CreateTempSubdirectory("granary-markets-").FullName;
    private readonly ManualDevnetClock _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    private readonly List<Libp2pHost> _hosts = [];

    public DevnetNode Devnet { get; private set; } = null!;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>The miner (<c>t01000</c>-style).</summary>
    public string Miner { get; private set; } = "";

    /// <summary>Gateway A (markets silo Silo_0) and B (Silo_1), each with <c>/p2p/</c>.</summary>
    public Multiaddr GatewayA { get; private set; } = null!;

    public Multiaddr GatewayB { get; private set; } = null!;

    public MarketsHandlers HandlersA { get; private set; } = null!;

    /// <summary>The client's host (it only dials).</summary>
    public Libp2pHost ClientHost { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        Devnet = DevnetNode.Open(new DevnetOptions
        {
            DatabasePath = Path.Combine(_directory, "devnet.db"),
            Clock = _clock,
            Genesis = [.. new[] { OwnerKey, WorkerKey, ClientKey, PoorKey }.Select(k => new GenesisAccount(k, TokenAmount.FromFil(1_000)))],
        });
        var owner = Secp256k1.AddressOf(OwnerKey);
        var create = new CreateMinerParams(owner, Worker, 10, [0x00, 0x04, 1, 1, 1, 1], []).ToCbor();
        var created = await PushAndLandAsync(OwnerKey, Address.FromId(SystemActors.Power), ActorMethods.Power.CreateMiner, create, TokenAmount.Zero);
        Miner = CreateMinerReturn.FromCbor(created.Receipt.Return).IdAddress.ToString('t');
        var escrow = await PushAndLandAsync(ClientKey, Address.FromId(SystemActors.Market), ActorMethods.Market.AddBalance,
            MarketAddBalanceParams.ToCbor(Client), TokenAmount.FromFil(10));
        Assert.Equal(0, escrow.Receipt.ExitCode);

        var database = DatabaseTarget.Resolve("sqlite:state.db", _directory);
        await SchemaMigrator.ApplyAsync(database);
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((options, silo) =>
        {
            var mining = options.SiloName == "Silo_2";
            silo.UseSubsystems(SubsystemSet.Of(mining ? Subsystem.Mining : Subsystem.Markets));
            silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
            {
                o.Invariant = database.Invariant;
                o.ConnectionString = database.ConnectionString;
            });
            silo.WrapGrainStorage(GrainStorage.Name, inner => new CountingGrainStorage(inner));
            silo.SkipReadsOfNewState(GrainStorage.Name); // as a granary silo: a proposal's deal grain activates without a read
            silo.Services.AddSingleton<Chain.IChainNode>(Devnet);
            silo.Services.AddSingleton<IMinerKeys>(new TestKeys(mining ? [OwnerKey, WorkerKey] : []));
            silo.Services.AddPieceDirectory(() => new Microsoft.Data.Sqlite.SqliteConnection(database.ConnectionString), PieceStoreDialect.Sqlite);
            silo.Services.Configure<DealmakingOptions>(o =>
            {
                o.Miner = Miner;
                o.MaxConcurrentTransfers = MaxTransfers;
                o.MaxStagingBytes = 1L << 30;
                o.StartEpochSealingBuffer = SealingBuffer;
                o.BlockDelay = TimeSpan.FromSeconds(4);
                o.ExpectedSealDuration = TimeSpan.FromSeconds(SealEpochs * 4);
            });
            if (!mining)
            {
                ConfigureMarketsSilo(silo.Services);
            }
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        (GatewayA, HandlersA) = await StartGatewayAsync(Cluster.Silos.Single(s => s.Name == "Silo_0"), TimeSpan.FromSeconds(10));
        (GatewayB, _) = await StartGatewayAsync(Cluster.Silos.Single(s => s.Name == "Silo_1"), TimeSpan.FromSeconds(1));
        ClientHost = new Libp2pHost(Identity.Generate(), new Libp2pHostOptions { IdleTimeout = TimeSpan.Zero });
        _hosts.Add(ClientHost);
    }

    /// <summary>Services a derived fixture adds to the markets silos (a transfer stage, the SSRF guard); none here.</summary>
    protected virtual void ConfigureMarketsSilo(IServiceCollection services)
    {
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await Cluster.DisposeAsync();
        await Devnet.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The head's height (the clock only moves in <see cref="InitializeAsync"/>).</summary>
    public async Task<long> HeadAsync() => (await Devnet.ChainHead()).Height;

    /// <summary>Opens a stream on <paramref name="protocol"/>, writes <paramref name="request"/> and reads the one object answered.</summary>
    public async Task<byte[]> ExchangeAsync(Multiaddr gateway, string protocol, byte[] request, bool closeWrite = false)
    {
        await using var stream = await ClientHost.NewStreamAsync(gateway, protocol).WaitAsync(TimeSpan.FromSeconds(30));
        if (request.Length > 0)
        {
            await stream.WriteAsync(request);
        }

        if (closeWrite)
        {
            await stream.CloseWriteAsync();
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await CborItemReader.ReadAsync(stream, 1 << 20, deadline.Token);
    }

    /// <summary>Proposes a deal (mk/1.2.1) and reads the answer.</summary>
    public async Task<DealResponse> ProposeAsync(Multiaddr gateway, DealParams deal) => await ProposeBytesAsync(gateway, deal.ToCbor());

    /// <summary>Proposes raw bytes and reads the answer.</summary>
    public async Task<DealResponse> ProposeBytesAsync(Multiaddr gateway, byte[] bytes, string protocol = MarketsProtocolIds.DealV121) =>
        DealResponse.FromCbor(await ExchangeAsync(gateway, protocol, bytes));

    /// <summary>A deal that passes every check: a 2 KiB piece at 100 attoFIL/epoch, starting 300 epochs from now for 180 days, pulled over http.</summary>
    public async Task<DealParams> DealAsync(byte[]? clientKey = null, Func<DealProposal, DealProposal>? change = null, Guid? uuid = null,
        DealTransfer? transfer = null, bool offline = false)
    {
        var head = await HeadAsync();
        var key = clientKey ?? ClientKey;
        var id = uuid ?? Guid.NewGuid();
        var proposal = new DealProposal(MarketsSamples.Piece, 2048, false, Secp256k1.AddressOf(key), Address.Parse(Miner),
            DealLabel.FromString($"deal {id}"), head + 300, head + 300 + DealmakingOptions.FilecoinMinDealDuration, new TokenAmount(100),
            TokenAmount.Zero, TokenAmount.Zero);
        proposal = change?.Invoke(proposal) ?? proposal;
        var signed = ClientDealProposal.SignSecp256k1(proposal, key);
        return new DealParams(id, offline, signed, MarketsSamples.Root, offline ? DealTransfer.None : transfer ?? MarketsSamples.HttpTransfer(2000), false, false);
    }

    private async Task<(Multiaddr, MarketsHandlers)> StartGatewayAsync(InProcessSiloHandle silo, TimeSpan readTimeout)
    {
        var host = new Libp2pHost(Identity.Generate(), new Libp2pHostOptions { IdleTimeout = TimeSpan.Zero });
        _hosts.Add(host);
        var handlers = new MarketsHandlers(silo.ServiceProvider.GetRequiredService<IGrainFactory>(), Devnet,
            new MarketsHandlerOptions(Miner, silo.Name, [Multiaddr.Parse("/ip4/127.0.0.1/tcp/24002/http")]) { ReadTimeout = readTimeout },
            NullLogger<MarketsHandlers>.Instance, silo.ServiceProvider.GetService<PieceBlockStore>());
        handlers.Register(host);
        await host.StartAsync([Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")]);
        return (host.ListenAddresses[0].WithPeerIdMultihash(host.PeerId.Multihash.Span), handlers);
    }

    private async Task<Chain.Model.MessageLookup> PushAndLandAsync(byte[] key, Address to, ulong method, byte[] parameters, TokenAmount value)
    {
        var from = Secp256k1.AddressOf(key);
        var message = MessageGas.Default.Apply(new Message(0, to, from, await Devnet.MpoolGetNonce(from), value, 0,
            TokenAmount.Zero, TokenAmount.Zero, method, parameters));
        var cid = await Devnet.MpoolPush(SignedMessage.SignSecp256k1(message, key));
        await _clock.AdvanceAsync(1);
        return await Devnet.StateWaitMsg(cid, 0).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static byte[] Key(string name) => Blake2b.Hash256(Encoding.ASCII.GetBytes($"granary markets test {name}"));

    private sealed class TestKeys(byte[][] keys) : IMinerKeys
    {
        public string Source => "the test's keys";

        public byte[]? Find(Address address) => keys.FirstOrDefault(k => Secp256k1.AddressOf(k) == address);
    }
}
