using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Tests;

public sealed class DevnetRestartTests
{
    // [[], []]: no BLS and no secp256k1 messages.
    private static Filecoin.Cids.Cid EmptyMessages() => Filecoin.Cbor.DagCbor.CidOf([0x82, 0x80, 0x80]);

    [Fact]
    public async Task A_reopened_devnet_continues_from_its_head_with_balances_nonces_miners_deals_and_pending_messages()
    {
        await using var chain = DevnetTestChain.Create();
        var miner = await DevnetMinerTests.CreateMinerAsync(chain);
        Assert.Equal(0, (await chain.ExecAsync(1, miner, TokenAmount.Zero, ActorMethods.Miner.ChangePeerId, new ChangePeerIdParams([1, 2, 3]).ToCbor())).ExitCode);
        await DevnetMarketTests.FundAsync(chain, 2, chain.Accounts[2], TokenAmount.FromFil(10));
        await DevnetMarketTests.FundAsync(chain, 1, miner, TokenAmount.FromFil(5));
        var height = (await chain.Node.ChainHead()).Height;
        var deal = Filecoin.Chain.ClientDealProposal.SignSecp256k1(DevnetMarketTests.Proposal(chain, miner, height + 500, height + 1500), chain.Keys[2]);
        Assert.Equal(0, (await chain.ExecAsync(1, Address.FromId(SystemActors.Market), TokenAmount.Zero, 4, new PublishStorageDealsParams([deal]).ToCbor())).ExitCode);
        var wallet = await chain.Node.WalletNew(Model.WalletKeyType.Secp256k1);
        var pending = await chain.PushAsync(0, chain.Accounts[2], TokenAmount.FromFil(2));

        var head = await chain.Node.ChainHead();
        var balances = await Task.WhenAll(chain.Accounts.Select(a => chain.Node.WalletBalance(a)));
        var nonce = await chain.Node.MpoolGetNonce(chain.Accounts[0]);
        var escrow = await chain.Node.StateMarketBalance(chain.Accounts[2], null);
        var info = await chain.Node.StateMinerInfo(miner, null);
        var ticket = await chain.Node.StateGetRandomnessFromTickets(Model.DomainSeparationTag.SealRandomness, head.Height, [], null);

        await chain.ReopenAsync();
        var node = chain.Node;
        Assert.Equal(head.Key, (await node.ChainHead()).Key);
        Assert.Equal(balances, await Task.WhenAll(chain.Accounts.Select(a => node.WalletBalance(a))));
        Assert.Equal(nonce, await node.MpoolGetNonce(chain.Accounts[0]));
        Assert.Equal(escrow, await node.StateMarketBalance(chain.Accounts[2], null));
        Assert.Equal(info.PeerId, (await node.StateMinerInfo(miner, null)).PeerId);
        Assert.Equal(ticket, await node.StateGetRandomnessFromTickets(Model.DomainSeparationTag.SealRandomness, head.Height, [], null));
        Assert.Equal(deal.Proposal.PieceCid, (await node.StateMarketStorageDeal(0, null)).Proposal.PieceCid);
        Assert.NotNull(await node.WalletSign(wallet, [1]));

        // The message pushed before the restart lands after it, and the chain goes on from the old head.
        await chain.AdvanceAsync();
        var lookup = await chain.WaitAsync(pending);
        Assert.Equal(head.Height + 1, lookup.Height);
        Assert.Equal(head.Key, (await node.ChainHead()).Parents);
        Assert.Equal(balances[2] + TokenAmount.FromFil(2), await node.WalletBalance(chain.Accounts[2]));
        Assert.Equal(0, (await chain.ExecAsync(1, miner, TokenAmount.Zero, ActorMethods.Miner.ChangePeerId, new ChangePeerIdParams([4]).ToCbor())).ExitCode);
        Assert.Equal([4], (await node.StateMinerInfo(miner, null)).PeerId);
        Assert.Equal(head.Height + 1, (await chain.WaitAsync(pending)).Height);
    }

    [Fact]
    public async Task State_roots_chain_the_changes_of_every_block()
    {
        await using var chain = DevnetTestChain.Create(accounts: 2);
        await chain.PushAsync(0, chain.Accounts[1], TokenAmount.FromFil(1));
        await chain.AdvanceAsync(3);
        var roots = new List<Filecoin.Cids.Cid>();
        for (var h = 0; h <= 3; h++)
        {
            roots.Add((await chain.Node.ChainGetTipSetByHeight(h, null)).Blocks[0].ParentStateRoot);
        }

        // A block names the state its parent left: genesis and block 1 share the genesis state; every block changes it.
        Assert.Equal(roots[0], roots[1]);
        Assert.Equal(3, roots.Skip(1).Distinct().Count());
        var one = await chain.Node.ChainGetTipSetByHeight(1, null);
        var two = await chain.Node.ChainGetTipSetByHeight(2, null);
        Assert.NotEqual(one.Blocks[0].Messages, two.Blocks[0].Messages);
        Assert.Equal(EmptyMessages(), two.Blocks[0].Messages);
    }
}
