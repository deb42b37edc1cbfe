using System.Numerics;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Granary.Chain;
using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;
using Granary.Grains.Miner;
using Granary.Grains.Placement;
using Granary.Libp2p.Multiaddrs;
using Granary.Silo.Database;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Granary.Grains.Tests;

/// <summary>
/// The miner grain in an in-process cluster (a markets silo and a mining silo, grain state in real SQLite) against a
/// real devnet on a manual clock, registered as every silo's <see cref="IChainNode"/>. The test mines the blocks: it
/// waits until the grain has pushed its message, then advances the clock.
/// </summary>
public sealed class MinerGrainTests : IAsyncLifetime
{
    private static readonly byte[] OwnerKey = Key("owner");
    private static readonly byte[] WorkerKey = Key("worker");
    private static readonly byte[] StrangerKey = Key("stranger");
    private static readonly Address Owner = Secp256k1.AddressOf(OwnerKey);
    private static readonly Address Worker = Secp256k1.AddressOf(WorkerKey);
    private static readonly Address Stranger = Secp256k1.AddressOf(StrangerKey);

    private readonly string _directory = Directory.CreateTempSubdirectory("granary-miner-").FullName;
    private readonly ManualDevnetClock _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    private DevnetNode _devnet = null!;
    private ChannelReader<Cid> _pushes = null!;
    private InProcessTestCluster _cluster = null!;
    private string _miner = "";

    public async Task InitializeAsync()
    {
        _devnet = DevnetNode.Open(new DevnetOptions
        {
            DatabasePath = Path.Combine(_directory, "devnet.db"),
            Clock = _clock,
            Genesis = [.. new[] { OwnerKey, WorkerKey, StrangerKey }.Select(k => new GenesisAccount(k, TokenAmount.FromFil(1_000)))],
        });
        var create = new CreateMinerParams(Owner, Worker, 10, [0x00, 0x04, 1, 1, 1, 1], []).ToCbor();
        var created = await PushAndLandAsync(OwnerKey, Address.FromId(SystemActors.Power), ActorMethods.Power.CreateMiner, create);
        _miner = CreateMinerReturn.FromCbor(created.Receipt.Return).IdAddress.ToString('t');

        var (chain, pushes) = PushWatcher.Wrap(_devnet);
        _pushes = pushes;
        var database = DatabaseTarget.Resolve("sqlite:state.db", _directory);
        await SchemaMigrator.ApplyAsync(database);
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((options, silo) =>
        {
            var mining = options.SiloName == "Silo_1";
            silo.UseSubsystems(SubsystemSet.Of(mining ? Subsystem.Mining : Subsystem.Markets));
            silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
            {
                o.Invariant = database.Invariant;
                o.ConnectionString = database.ConnectionString;
            });
            silo.Services.AddSingleton(chain);
            // Only the mining silo holds the keys, as only it should sign.
            silo.Services.AddSingleton<IMinerKeys>(new TestKeys(mining ? [OwnerKey, WorkerKey] : []));
            silo.Services.Configure<MinerGrainOptions>(o => o.MessageTimeout = TimeSpan.FromSeconds(3));
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _devnet.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Messages_take_the_next_worker_nonces_and_the_mirror_shows_what_landed()
    {
        var grain = Grain();
        var first = await grain.GetInfo(refresh: false);
        Assert.Equal(Worker.ToString('t'), first.Info.WorkerKey);
        Assert.Equal(Owner.ToString('t'), first.Info.OwnerKey);
        Assert.Equal(2048UL, first.Info.SectorSize);
        Assert.Equal(0UL, first.NextNonce);

        var peer1 = PeerId();
        var landed = await LandAsync(grain.SetPeerId(peer1));
        Assert.Equal((0UL, 0L, MinerMethods.ChangePeerId), (landed.Nonce, landed.ExitCode, landed.Method));
        Assert.Equal(peer1, (await grain.GetInfo(refresh: false)).Info.PeerId);

        // Someone else signs with the worker key (nonce 1): the grain takes the chain's next nonce, not its own.
        await PushAndLandAsync(WorkerKey, Stranger, ActorMethods.Send, []);
        var addrs = await LandAsync(grain.SetMultiaddrs([Addr("/ip4/192.0.2.1/tcp/1"), Addr("/ip4/192.0.2.2/tcp/2")]));
        Assert.Equal(2UL, addrs.Nonce);

        // Three at once: distinct consecutive nonces, all in one block.
        var peer2 = PeerId();
        var peer3 = PeerId();
        var calls = new[]
        {
            grain.SetPeerId(peer2),
            grain.SetMultiaddrs([Addr("/ip4/192.0.2.3/tcp/3")]),
            grain.Send(MinerMethods.ChangePeerId, new ChangePeerIdParams(peer3).ToCbor(), BigInteger.Zero),
        };
        var receipts = await LandAsync(Task.WhenAll(calls), messages: 3);
        Assert.Equal([3UL, 4UL, 5UL], receipts.Select(r => r.Nonce).Order());
        Assert.Single(receipts.Select(r => r.Height).Distinct());
        Assert.All(receipts, r => Assert.Equal(0, r.ExitCode));

        var onChain = await _devnet.StateMinerInfo(Address.Parse(_miner), null);
        Assert.Equal(receipts[0].Nonce > receipts[2].Nonce ? peer2 : peer3, onChain.PeerId);
        var mirror = await grain.GetInfo(refresh: false);
        Assert.Equal(onChain.PeerId, mirror.Info.PeerId);
        Assert.Equal([Addr("/ip4/192.0.2.3/tcp/3")], mirror.Info.Multiaddrs);
        Assert.Equal(6UL, mirror.NextNonce);
        Assert.Empty(mirror.Pending);
        Assert.Equal(6UL, await _devnet.MpoolGetNonce(Worker));
    }

    [Fact]
    public async Task A_failing_message_names_method_and_exit_code_and_a_worker_without_a_key_here_is_a_clear_error()
    {
        var grain = Grain();

        // WithdrawBalance is the owner's; sent by the worker it lands and fails with ErrForbidden.
        var failed = await Assert.ThrowsAsync<MinerMessageFailedException>(() =>
            LandAsync(grain.Send(MinerMethods.WithdrawBalance, new WithdrawBalanceParams(TokenAmount.FromFil(1)).ToCbor(), BigInteger.Zero)));
        Assert.Equal((MinerMethods.WithdrawBalance, 18L), (failed.Method, failed.ExitCode));
        Assert.Contains("WithdrawBalance (16) failed with exit code 18 (ErrForbidden)", failed.Message);
        Assert.Contains(failed.Cid, failed.Message);
        var after = await grain.GetInfo(refresh: false);
        Assert.Equal(1UL, after.NextNonce);
        Assert.Empty(after.Pending);

        // The owner hands the worker role to a stranger behind the grain's back: the mirror still names the old worker,
        // whose message the chain now refuses; then the refreshed mirror names a worker this silo has no key for.
        var change = new ChangeWorkerAddressParams(Stranger, []).ToCbor();
        Assert.Equal(0, (await PushAndLandAsync(OwnerKey, Address.Parse(_miner), ActorMethods.Miner.ChangeWorkerAddress, change)).Receipt.ExitCode);
        var stale = await Assert.ThrowsAsync<MinerMessageFailedException>(() => LandAsync(grain.SetPeerId(PeerId())));
        Assert.Equal(18L, stale.ExitCode);
        var missing = await Assert.ThrowsAsync<MinerException>(() => grain.SetPeerId(PeerId()));
        Assert.Contains($"has no key for miner {_miner}'s worker {Stranger.ToString('t')}", missing.Message);
        Assert.Equal(Stranger.ToString('t'), (await grain.GetInfo(refresh: false)).Info.WorkerKey);
    }

    [Fact]
    public async Task A_message_that_does_not_land_in_time_stays_pending_and_is_recorded_by_a_later_call()
    {
        var grain = Grain();
        var peer = PeerId();
        var call = grain.SetPeerId(peer);
        var cid = await NextPushAsync();

        // No block is mined: the grain gives up after its 3 s timeout, naming the message.
        var timeout = await Assert.ThrowsAsync<MinerMessageTimeoutException>(() => call);
        Assert.Equal(cid.ToString(), timeout.Cid);
        Assert.Contains($"message {cid} did not land within 3 s", timeout.Message);
        var waiting = await grain.GetInfo(refresh: false);
        Assert.Equal(cid.ToString(), Assert.Single(waiting.Pending).Message);
        Assert.NotEqual(peer, waiting.Info.PeerId);

        await _clock.AdvanceAsync(2);
        var landed = await grain.GetInfo(refresh: false);
        Assert.Empty(landed.Pending);
        Assert.Equal(peer, landed.Info.PeerId);
        Assert.Equal(1UL, (await LandAsync(grain.SetMultiaddrs([Addr("/ip4/192.0.2.9/tcp/9")]))).Nonce);
    }

    [Fact]
    public async Task It_activates_only_on_the_mining_silo_and_refuses_addresses_that_are_not_miners()
    {
        var mining = _cluster.Silos.Single(s => s.Name == "Silo_1");
        Assert.Equal(mining.Name, (await Grain().GetInfo(refresh: true)).Silo);
        var management = _cluster.Client.GetGrain<IManagementGrain>(0);
        var activations = (await management.GetDetailedGrainStatistics()).Where(a => a.GrainId.Key.ToString() == _miner).ToList();
        Assert.Equal(mining.SiloAddress, Assert.Single(activations, a => a.GrainType.Contains(nameof(MinerGrain), StringComparison.Ordinal)).SiloAddress);

        var account = await Assert.ThrowsAsync<MinerException>(() => _cluster.Client.GetGrain<IMinerGrain>(Owner.ToString('t')).GetInfo(false));
        Assert.Contains("a miner is an actor", account.Message);
        var unknown = await Assert.ThrowsAsync<MinerException>(() => _cluster.Client.GetGrain<IMinerGrain>("t099999").GetInfo(false));
        Assert.Contains("reading miner t099999", unknown.Message);
        Assert.Contains("is not a miner", unknown.Message);
        var garbage = await Assert.ThrowsAsync<MinerException>(() => _cluster.Client.GetGrain<IMinerGrain>("miner-1").GetInfo(false));
        Assert.Contains("is not a miner address", garbage.Message);

        await _cluster.StopSiloAsync(mining);
        var unavailable = await Assert.ThrowsAsync<SubsystemUnavailableException>(() => _cluster.Client.GetGrain<IMinerGrain>("t01999").GetInfo(false));
        Assert.Equal(Subsystem.Mining, unavailable.Subsystem);
    }

    private IMinerGrain Grain() => _cluster.Client.GetGrain<IMinerGrain>(_miner);

    // Waits until the grain has pushed its messages, mines the block and one on top (the grain's confidence), then the call's result.
    private async Task<T> LandAsync<T>(Task<T> call, int messages = 1)
    {
        for (var i = 0; i < messages; i++)
        {
            await NextPushAsync();
        }

        await _clock.AdvanceAsync(2);
        return await call.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task<Cid> NextPushAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _pushes.ReadAsync(timeout.Token);
    }

    // A message signed here and pushed past the grain, then mined.
    private async Task<Chain.Model.MessageLookup> PushAndLandAsync(byte[] key, Address to, ulong method, byte[] parameters)
    {
        var from = Secp256k1.AddressOf(key);
        var message = MessageGas.Default.Apply(new Message(0, to, from, await _devnet.MpoolGetNonce(from), TokenAmount.Zero, 0,
            TokenAmount.Zero, TokenAmount.Zero, method, parameters));
        var cid = await _devnet.MpoolPush(SignedMessage.SignSecp256k1(message, key));
        await _clock.AdvanceAsync(1);
        return await _devnet.StateWaitMsg(cid, 0).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static byte[] PeerId() => Libp2p.Peers.Identity.Generate().PeerId.Multihash.ToArray();

    private static byte[] Addr(string text) => Multiaddr.Parse(text).ToBytes();

    private static byte[] Key(string name) => Blake2b.Hash256(System.Text.Encoding.ASCII.GetBytes($"granary miner grain test {name}"));

    private sealed class TestKeys(byte[][] keys) : IMinerKeys
    {
        public string Source => "the test's keys";

        public byte[]? Find(Address address) => keys.FirstOrDefault(k => Secp256k1.AddressOf(k) == address);
    }
}

/// <summary>An <see cref="IChainNode"/> that passes every call through and reports each successful <c>MpoolPush</c>.</summary>
public class PushWatcher : DispatchProxy
{
    private IChainNode _inner = null!;
    private Channel<Cid> _pushed = null!;

    public static (IChainNode Node, ChannelReader<Cid> Pushed) Wrap(IChainNode inner)
    {
        var proxy = Create<IChainNode, PushWatcher>();
        var watcher = (PushWatcher)(object)proxy;
        watcher._inner = inner;
        watcher._pushed = Channel.CreateUnbounded<Cid>();
        return (proxy, watcher._pushed.Reader);
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

        return targetMethod.Name == nameof(IChainNode.MpoolPush) && result is Task<Cid> push ? Observe(push) : result;
    }

    private async Task<Cid> Observe(Task<Cid> push)
    {
        var cid = await push;
        _pushed.Writer.TryWrite(cid);
        return cid;
    }
}
