using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Tests;

public sealed class DevnetMarketTests
{
    private static readonly Address Market = Address.FromId(SystemActors.Market);

    internal static DealProposal Proposal(DevnetTestChain chain, Address provider, long start, long end, int client = 2, byte seed = 1, long pieceSize = 2048) =>
        new(PieceCid.V1(Enumerable.Repeat(seed, 32).ToArray()), pieceSize, false, chain.Accounts[client], provider, DealLabel.FromString("devnet deal"),
            start, end, new TokenAmount(1_000), TokenAmount.FromFil(1), TokenAmount.FromFil(2));

    internal static async Task FundAsync(DevnetTestChain chain, int from, Address escrowOf, TokenAmount amount) =>
        Assert.Equal(0, (await chain.ExecAsync(from, Market, amount, ActorMethods.Market.AddBalance, MarketAddBalanceParams.ToCbor(escrowOf))).ExitCode);

    [Fact]
    public async Task AddBalance_and_WithdrawBalance_move_escrow()
    {
        await using var chain = DevnetTestChain.Create();
        await FundAsync(chain, 2, chain.Accounts[2], TokenAmount.FromFil(7));
        var balance = await chain.Node.StateMarketBalance(chain.Accounts[2], null);
        Assert.Equal(TokenAmount.FromFil(7), balance.Escrow);
        Assert.Equal(TokenAmount.Zero, balance.Locked);
        Assert.Equal(TokenAmount.FromFil(7), await chain.Node.WalletBalance(Market));

        Assert.Equal(16, (await chain.ExecAsync(2, Market, TokenAmount.Zero, ActorMethods.Market.AddBalance, MarketAddBalanceParams.ToCbor(chain.Accounts[2]))).ExitCode);
        var withdraw = new MarketWithdrawBalanceParams(chain.Accounts[2], TokenAmount.FromFil(3)).ToCbor();
        Assert.Equal(18, (await chain.ExecAsync(1, Market, TokenAmount.Zero, ActorMethods.Market.WithdrawBalance, withdraw)).ExitCode);
        var receipt = await chain.ExecAsync(2, Market, TokenAmount.Zero, ActorMethods.Market.WithdrawBalance, withdraw);
        Assert.Equal(0, receipt.ExitCode);
        Assert.Equal(TokenAmount.FromFil(3), AmountReturn.FromCbor(receipt.Return));
        Assert.Equal(TokenAmount.FromFil(4), (await chain.Node.StateMarketBalance(Address.FromId(103), null)).Escrow);
    }

    [Fact]
    public async Task PublishStorageDeals_checks_client_signatures_and_locks_escrow()
    {
        await using var chain = DevnetTestChain.Create();
        var miner = await DevnetMinerTests.CreateMinerAsync(chain);
        await FundAsync(chain, 2, chain.Accounts[2], TokenAmount.FromFil(10));
        await FundAsync(chain, 1, miner, TokenAmount.FromFil(5));
        var head = (await chain.Node.ChainHead()).Height;
        var good = ClientDealProposal.SignSecp256k1(Proposal(chain, miner, head + 100, head + 1100), chain.Keys[2]);
        var badSignature = ClientDealProposal.SignSecp256k1(Proposal(chain, miner, head + 100, head + 1100, seed: 2), chain.Keys[0]);

        var receipt = await chain.ExecAsync(1, Market, TokenAmount.Zero, ActorMethods.Market.PublishStorageDeals,
            new PublishStorageDealsParams([badSignature, good]).ToCbor());
        Assert.Equal(0, receipt.ExitCode);
        var published = PublishStorageDealsReturn.FromCbor(receipt.Return);
        var id = Assert.Single(published.Ids);
        Assert.Equal([1UL], published.ValidDeals.Members);

        var deal = await chain.Node.StateMarketStorageDeal(id, null);
        Assert.Equal(Address.FromId(103), deal.Proposal.Client);
        Assert.Equal(miner, deal.Proposal.Provider);
        Assert.Equal(-1, deal.State.SectorStartEpoch);
        var fee = 1_000L * 1_000;
        Assert.Equal(new TokenAmount(TokenAmount.FromFil(2).AttoFil + fee), (await chain.Node.StateMarketBalance(chain.Accounts[2], null)).Locked);
        Assert.Equal(TokenAmount.FromFil(1), (await chain.Node.StateMarketBalance(miner, null)).Locked);

        // Only bad deals: the whole message fails; the same proposal cannot be published twice.
        Assert.Equal(16, (await chain.ExecAsync(1, Market, TokenAmount.Zero, 4, new PublishStorageDealsParams([badSignature]).ToCbor())).ExitCode);
        Assert.Equal(16, (await chain.ExecAsync(1, Market, TokenAmount.Zero, 4, new PublishStorageDealsParams([good]).ToCbor())).ExitCode);
        await Assert.ThrowsAsync<ChainException>(() => chain.Node.StateMarketStorageDeal(id + 1, null));
    }

    [Fact]
    public async Task PublishStorageDeals_refuses_strangers_short_escrow_and_past_start_epochs()
    {
        await using var chain = DevnetTestChain.Create();
        var miner = await DevnetMinerTests.CreateMinerAsync(chain);
        await FundAsync(chain, 2, chain.Accounts[2], TokenAmount.FromFil(2));
        await FundAsync(chain, 1, miner, TokenAmount.FromFil(5));
        var head = (await chain.Node.ChainHead()).Height;
        var Publish = (ClientDealProposal d, int from) => chain.ExecAsync(from, Market, TokenAmount.Zero, 4, new PublishStorageDealsParams([d]).ToCbor());

        var ok = ClientDealProposal.SignSecp256k1(Proposal(chain, miner, head + 50, head + 60) with { ClientCollateral = TokenAmount.FromFil(1) }, chain.Keys[2]);
        Assert.Equal(18, (await Publish(ok, 2)).ExitCode); // the client is not the provider's worker
        var tooExpensive = ClientDealProposal.SignSecp256k1(Proposal(chain, miner, head + 50, head + 60, seed: 3) with { ClientCollateral = TokenAmount.FromFil(2) }, chain.Keys[2]);
        Assert.Equal(16, (await Publish(tooExpensive, 1)).ExitCode);
        var late = ClientDealProposal.SignSecp256k1(Proposal(chain, miner, head, head + 60, seed: 4) with { ClientCollateral = TokenAmount.Zero }, chain.Keys[2]);
        Assert.Equal(16, (await Publish(late, 1)).ExitCode);
        var bls = new ClientDealProposal(Proposal(chain, miner, head + 50, head + 60, seed: 5), new Signature(SignatureType.Bls, new byte[96]));
        Assert.Equal(16, (await Publish(bls, 1)).ExitCode);
        Assert.Equal(TokenAmount.Zero, (await chain.Node.StateMarketBalance(chain.Accounts[2], null)).Locked);
        Assert.Equal(0, (await Publish(ok, 1)).ExitCode);
    }

    [Fact]
    public async Task A_deal_not_activated_by_its_start_epoch_is_removed_and_its_provider_collateral_burnt()
    {
        await using var chain = DevnetTestChain.Create();
        var miner = await DevnetMinerTests.CreateMinerAsync(chain);
        await FundAsync(chain, 2, chain.Accounts[2], TokenAmount.FromFil(10));
        await FundAsync(chain, 1, miner, TokenAmount.FromFil(5));
        var head = (await chain.Node.ChainHead()).Height;
        var deal = ClientDealProposal.SignSecp256k1(Proposal(chain, miner, head + 3, head + 100), chain.Keys[2]);
        var receipt = await chain.ExecAsync(1, Market, TokenAmount.Zero, 4, new PublishStorageDealsParams([deal]).ToCbor());
        var id = Assert.Single(PublishStorageDealsReturn.FromCbor(receipt.Return).Ids);
        var burnt = await chain.Node.WalletBalance(Address.FromId(SystemActors.BurntFunds));

        await chain.AdvanceAsync(3);
        await Assert.ThrowsAsync<ChainException>(() => chain.Node.StateMarketStorageDeal(id, null));
        Assert.Equal(new MarketBalance(TokenAmount.FromFil(10), TokenAmount.Zero), await chain.Node.StateMarketBalance(chain.Accounts[2], null));
        Assert.Equal(new MarketBalance(TokenAmount.FromFil(4), TokenAmount.Zero), await chain.Node.StateMarketBalance(miner, null));
        Assert.Equal(burnt + TokenAmount.FromFil(1), await chain.Node.WalletBalance(Address.FromId(SystemActors.BurntFunds)));
    }
}
