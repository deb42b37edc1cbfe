using System.Security.Cryptography;
using System.Text.Json;
using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Devnet.Mining;
using Granary.Chain.Json;
using Granary.Chain.Model;
using Granary.Chain.Rpc;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Tests;

/// <summary>
/// Every <see cref="IChainNode"/> method through <see cref="ChainRpcClient"/> → HTTP/websocket →
/// <see cref="ChainRpcServer"/> in Kestrel → the real devnet, compared with asking the devnet directly: the same
/// answers (as Lotus JSON), the same refusals with the same reasons, and head changes as the manual clock mines.
/// </summary>
public sealed class ChainRpcDevnetTests : IAsyncLifetime
{
    private const int Owner = 0;
    private const int DealClient = 1;
    private DevnetTestChain _chain = null!;
    private ChainRpcTestHost _host = null!;
    private ChainRpcClient _rpc = null!;
    private Address _miner = null!;

    private DevnetNode Devnet => _chain.Node;

    public async Task InitializeAsync()
    {
        _chain = DevnetTestChain.Create(accounts: 3);
        _host = await ChainRpcTestHost.StartAsync(_chain.Node, "devnet-token");
        _rpc = ChainRpcClient.FromApiInfo(_host.ApiInfo("devnet-token"));
        _miner = await CreateMinerAsync();
    }

    public async Task DisposeAsync()
    {
        _rpc.Dispose();
        await _host.DisposeAsync();
        await _chain.DisposeAsync();
    }

    [Fact]
    public async Task Chain_and_miner_queries_answer_the_same_through_the_RPC()
    {
        var head = await Devnet.ChainHead();
        await Same(Devnet.ChainHead(), _rpc.ChainHead());
        await Same(Devnet.ChainGetTipSetByHeight(1, null), _rpc.ChainGetTipSetByHeight(1, null));
        await Same(Devnet.ChainGetTipSetByHeight(0, head.Key), _rpc.ChainGetTipSetByHeight(0, head.Key));
        await Same(Devnet.StateMinerInfo(_miner, null), _rpc.StateMinerInfo(_miner, null));
        await Same(Devnet.StateMinerInfo(_miner, head.Key), _rpc.StateMinerInfo(_miner, head.Key));
        await Same(Devnet.StateMinerPower(_miner, null), _rpc.StateMinerPower(_miner, null));
        await Same(Devnet.StateMinerProvingDeadline(_miner, null), _rpc.StateMinerProvingDeadline(_miner, null));
        await Same(Devnet.StateMinerDeadlines(_miner, null), _rpc.StateMinerDeadlines(_miner, null));
        await Same(Devnet.StateMinerPartitions(_miner, 0, null), _rpc.StateMinerPartitions(_miner, 0, null));
        await Same(Devnet.StateMinerFaults(_miner, null), _rpc.StateMinerFaults(_miner, null));
        await Same(Devnet.StateLookupID(_chain.Accounts[Owner], null), _rpc.StateLookupID(_chain.Accounts[Owner], null));
        await Same(Devnet.StateAccountKey(Address.FromId(100), null), _rpc.StateAccountKey(Address.FromId(100), null));
        await Same(Devnet.StateGetRandomnessFromTickets(DomainSeparationTag.SealRandomness, head.Height - 1, [1, 2], null),
            _rpc.StateGetRandomnessFromTickets(DomainSeparationTag.SealRandomness, head.Height - 1, [1, 2], null));
        await Same(Devnet.StateGetRandomnessFromBeacon(DomainSeparationTag.InteractiveSealChallengeSeed, head.Height, [3], null),
            _rpc.StateGetRandomnessFromBeacon(DomainSeparationTag.InteractiveSealChallengeSeed, head.Height, [3], null));
        await Same(Devnet.MpoolGetNonce(_chain.Accounts[Owner]), _rpc.MpoolGetNonce(_chain.Accounts[Owner]));
        await Same(Devnet.WalletBalance(_chain.Accounts[Owner]), _rpc.WalletBalance(_chain.Accounts[Owner]));
        await Same(Devnet.WalletBalance(Address.FromId(99)), _rpc.WalletBalance(Address.FromId(99)));

        var info = await _rpc.StateMinerInfo(_miner, null);
        Assert.Equal([0x00, 0x04, 9, 9, 9, 9], info.PeerId);
        Assert.Equal(2048UL, info.SectorSize);
    }

    [Fact]
    public async Task Sector_and_deal_queries_answer_the_same_through_the_RPC()
    {
        var dealId = await PublishDealAsync();
        await Same(Devnet.StateMarketStorageDeal(dealId, null), _rpc.StateMarketStorageDeal(dealId, null));
        await Same(Devnet.StateMarketBalance(_chain.Accounts[DealClient], null), _rpc.StateMarketBalance(_chain.Accounts[DealClient], null));
        await Same(Devnet.StateMarketBalance(_miner, null), _rpc.StateMarketBalance(_miner, null));
        var deal = await _rpc.StateMarketStorageDeal(dealId, null);
        Assert.Equal(2048, deal.Proposal.PieceSize);
        Assert.Equal("a deal", deal.Proposal.Label.Text);

        await PreCommitAsync(sector: 1);
        var preCommit = await _rpc.StateSectorPreCommitInfo(_miner, 1, null);
        Assert.NotNull(preCommit);
        Assert.Equal(1UL, preCommit.Info.SectorNumber);
        await Same(Devnet.StateSectorPreCommitInfo(_miner, 1, null), _rpc.StateSectorPreCommitInfo(_miner, 1, null));
        Assert.Null(await _rpc.StateSectorPreCommitInfo(_miner, 2, null));
        Assert.Null(await _rpc.StateSectorGetInfo(_miner, 1, null));
        await Same(Devnet.StateSectorGetInfo(_miner, 1, null), _rpc.StateSectorGetInfo(_miner, 1, null));
    }

    [Fact]
    public async Task Messages_pushed_through_the_RPC_land_as_if_pushed_directly()
    {
        var to = _chain.Accounts[2];
        var signed = await _chain.SignAsync(Owner, to, TokenAmount.FromFil(2));
        Assert.Equal(signed.Cid(), await _rpc.MpoolPush(signed));
        Assert.Equal(signed.Message.Nonce + 1, await _rpc.MpoolGetNonce(_chain.Accounts[Owner]));

        // The node fills nonce and gas and signs with the sender's key in its wallet.
        var unsigned = new Message(0, to, _chain.Accounts[DealClient], 0, TokenAmount.FromFil(1), 0, TokenAmount.Zero, TokenAmount.Zero, 0, []);
        var filled = await _rpc.MpoolPushMessage(unsigned, new MessageSendSpec(TokenAmount.Zero));
        Assert.True(filled.VerifySignature());
        Assert.Equal(unsigned.To, filled.Message.To);
        Assert.True(filled.Message.GasLimit > 0);

        var waiting = _rpc.StateWaitMsg(filled.Cid(), 0);
        await _chain.AdvanceAsync();
        var lookup = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, lookup.Receipt.ExitCode);
        await Same(Devnet.StateWaitMsg(filled.Cid(), 0), Task.FromResult(lookup));
        await Same(Devnet.StateWaitMsg(signed.Cid(), 0), _rpc.StateWaitMsg(signed.Cid(), 0));
        Assert.Equal(TokenAmount.FromFil(1_003), await _rpc.WalletBalance(to));
    }

    [Fact]
    public async Task Wallet_calls_through_the_RPC_use_the_devnet_wallet()
    {
        var fresh = await _rpc.WalletNew(WalletKeyType.Secp256k1);
        Assert.Equal(Filecoin.Addresses.AddressProtocol.Secp256k1, fresh.Protocol);
        Assert.Equal(TokenAmount.Zero, await _rpc.WalletBalance(fresh));

        var data = "sign me"u8.ToArray();
        var signature = await _rpc.WalletSign(fresh, data);
        Assert.True(await Devnet.WalletVerify(fresh, data, signature));
        Assert.True(await _rpc.WalletVerify(fresh, data, signature));
        Assert.False(await _rpc.WalletVerify(fresh, [.. data, 0], signature));
        await Same(Devnet.WalletSign(_chain.Accounts[Owner], data), _rpc.WalletSign(_chain.Accounts[Owner], data));
    }

    [Fact]
    public async Task Refusals_cross_with_the_devnet_reason()
    {
        await SameRefusal(() => Devnet.StateMinerInfo(Address.FromId(4242), null), () => _rpc.StateMinerInfo(Address.FromId(4242), null));
        await SameRefusal(() => Devnet.StateMarketStorageDeal(999, null), () => _rpc.StateMarketStorageDeal(999, null));
        await SameRefusal(() => Devnet.WalletNew(WalletKeyType.Bls), () => _rpc.WalletNew(WalletKeyType.Bls));
        var unknown = new TipSetKey([ChainRpcFakeNode.Block(99)]);
        await SameRefusal(() => Devnet.ChainGetTipSetByHeight(0, unknown), () => _rpc.ChainGetTipSetByHeight(0, unknown));

        var signed = await _chain.SignAsync(Owner, _chain.Accounts[2], TokenAmount.FromFil(1));
        var forged = signed with { Signature = new Signature(SignatureType.Secp256k1, signed.Signature.Data.Select((b, i) => i == 3 ? (byte)(b ^ 1) : b).ToArray()) };
        await SameRefusal(() => Devnet.MpoolPush(forged), () => _rpc.MpoolPush(forged));
        var stale = await _chain.SignAsync(Owner, _chain.Accounts[2], TokenAmount.FromFil(1), nonce: 0);
        await SameRefusal(() => Devnet.MpoolPush(stale), () => _rpc.MpoolPush(stale));
        var notMine = new Message(0, _chain.Accounts[2], Address.FromSecp256k1PublicKey(Enumerable.Repeat((byte)4, 65).ToArray()), 0, TokenAmount.Zero, 0, TokenAmount.Zero, TokenAmount.Zero, 0, []);
        await SameRefusal(() => Devnet.MpoolPushMessage(notMine, null), () => _rpc.MpoolPushMessage(notMine, null));
    }

    [Fact]
    public async Task ChainNotify_over_the_websocket_sees_each_epoch_the_clock_mines()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var changes = _rpc.ChainNotify(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await changes.MoveNextAsync());
        var current = Assert.Single(changes.Current);
        Assert.Equal(HeadChangeType.Current, current.Type);
        Assert.Equal((await Devnet.ChainHead()).Key, current.Value.Key);

        for (var i = 0; i < 3; i++)
        {
            await _chain.AdvanceAsync();
            var head = await Devnet.ChainHead();
            Assert.True(await changes.MoveNextAsync());
            var apply = Assert.Single(changes.Current);
            Assert.Equal(HeadChangeType.Apply, apply.Type);
            Assert.Equal(head.Height, apply.Value.Height);
            Assert.Equal(Json(head), Json(apply.Value));
        }
    }

    private async Task<Address> CreateMinerAsync()
    {
        var owner = await Devnet.StateLookupID(_chain.Accounts[Owner], null);
        var parameters = new CreateMinerParams(owner, owner, 10, [0x00, 0x04, 9, 9, 9, 9], [[4, 127, 0, 0, 1, 6, 0x04, 0xd2]]).ToCbor();
        var receipt = await _chain.ExecAsync(Owner, Address.FromId(SystemActors.Power), TokenAmount.Zero, ActorMethods.Power.CreateMiner, parameters);
        Assert.Equal(0, receipt.ExitCode);
        return CreateMinerReturn.FromCbor(receipt.Return).IdAddress;
    }

    private async Task<ulong> PublishDealAsync()
    {
        Assert.Equal(0, (await _chain.ExecAsync(DealClient, Address.FromId(SystemActors.Market), TokenAmount.FromFil(10), ActorMethods.Market.AddBalance,
            MarketAddBalanceParams.ToCbor(_chain.Accounts[DealClient]))).ExitCode);
        Assert.Equal(0, (await _chain.ExecAsync(Owner, Address.FromId(SystemActors.Market), TokenAmount.FromFil(10), ActorMethods.Market.AddBalance,
            MarketAddBalanceParams.ToCbor(_miner))).ExitCode);
        var epoch = (await Devnet.ChainHead()).Height;
        var proposal = new DealProposal(PieceCid.V1(SHA256.HashData("piece"u8)), 2048, false, _chain.Accounts[DealClient], _miner,
            DealLabel.FromString("a deal"), epoch + 100, epoch + 2000, new TokenAmount(1000), TokenAmount.FromFil(1), TokenAmount.Zero);
        var signed = ClientDealProposal.SignSecp256k1(proposal, _chain.Keys[DealClient]);
        var receipt = await _chain.ExecAsync(Owner, Address.FromId(SystemActors.Market), TokenAmount.Zero, ActorMethods.Market.PublishStorageDeals,
            new PublishStorageDealsParams([signed]).ToCbor());
        Assert.Equal(0, receipt.ExitCode);
        return Assert.Single(PublishStorageDealsReturn.FromCbor(receipt.Return).Ids);
    }

    private async Task PreCommitAsync(ulong sector)
    {
        var epoch = (await Devnet.ChainHead()).Height;
        var info = new SectorPreCommitInfo(SealProofFor2KiB, sector, SectorCommitments.SealedCid(SHA256.HashData("commr"u8)), epoch - 1, [],
            epoch + _chain.Node.Policy.MaxProveCommitDuration + _chain.Node.Policy.MinSectorExpiration + 100, null);
        var receipt = await _chain.ExecAsync(Owner, _miner, TokenAmount.FromFil(100), ActorMethods.Miner.PreCommitSectorBatch,
            new PreCommitSectorBatchParams([info]).ToCbor());
        Assert.Equal(0, receipt.ExitCode);
    }

    private static long SealProofFor2KiB => Proofs.SealProofType.Sector2KiB.Id;

    /// <summary>Both answers written as Lotus JSON are identical.</summary>
    private static async Task Same<T>(Task<T> direct, Task<T> viaRpc) => Assert.Equal(Json(await direct), Json(await viaRpc));

    /// <summary>Both refuse with a ChainException and the same reason.</summary>
    private static async Task SameRefusal<T>(Func<Task<T>> direct, Func<Task<T>> viaRpc)
    {
        var expected = await Assert.ThrowsAnyAsync<ChainException>(direct);
        var actual = await Assert.ThrowsAsync<ChainRpcException>(viaRpc);
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(1, actual.Code);
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, LotusJson.Options);
}
