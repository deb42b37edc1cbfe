using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Tests;

public sealed class DevnetMinerTests
{
    private static readonly byte[] PeerId = [0x00, 0x24, 0x08, 0x01, 0x12, 0x20, .. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private static readonly byte[] Multiaddr = [0x04, 127, 0, 0, 1, 0x06, 0x04, 0xD2]; // /ip4/127.0.0.1/tcp/1234

    /// <summary>Account 0 creates a 2 KiB miner owned by account 0 with account 1 as worker; its id address.</summary>
    internal static async Task<Address> CreateMinerAsync(DevnetTestChain chain, int owner = 0, int worker = 1, long proofType = 5, TokenAmount? value = null)
    {
        var receipt = await chain.ExecAsync(owner, Address.FromId(SystemActors.Power), value ?? TokenAmount.FromFil(1), ActorMethods.Power.CreateMiner,
            new CreateMinerParams(chain.Accounts[owner], chain.Accounts[worker], proofType, PeerId, [Multiaddr]).ToCbor());
        Assert.Equal(0, receipt.ExitCode);
        var created = CreateMinerReturn.FromCbor(receipt.Return);
        Assert.Equal(Filecoin.Addresses.AddressProtocol.Actor, created.RobustAddress.Protocol);
        return created.IdAddress;
    }

    [Fact]
    public async Task CreateMiner_makes_a_miner_whose_info_and_funds_the_chain_reports()
    {
        await using var chain = DevnetTestChain.Create();
        var miner = await CreateMinerAsync(chain, value: TokenAmount.FromFil(3));
        var node = chain.Node;

        var info = await node.StateMinerInfo(miner, null);
        Assert.Equal(Address.FromId(101), info.Owner);
        Assert.Equal(Address.FromId(102), info.Worker);
        Assert.Equal(PeerId, info.PeerId);
        Assert.Equal(Multiaddr, Assert.Single(info.Multiaddrs));
        Assert.Equal(2048UL, info.SectorSize);
        Assert.Equal(2UL, info.WindowPoStPartitionSectors);
        Assert.Equal(TokenAmount.FromFil(3), await node.WalletBalance(miner));
        Assert.Equal(TokenAmount.Zero, await node.WalletBalance(Address.FromId(SystemActors.Power)));

        var power = await node.StateMinerPower(miner, null);
        Assert.False(power.HasMinPower);
        Assert.Equal(0, power.Miner.RawBytePower);
        var deadline = await node.StateMinerProvingDeadline(miner, null);
        Assert.Equal((await node.ChainHead()).Height, deadline.CurrentEpoch);
        Assert.Equal(48, (await node.StateMinerDeadlines(miner, null)).Count);
        Assert.Empty(await node.StateMinerPartitions(miner, 0, null));
        Assert.Equal(0, (await node.StateMinerFaults(miner, null)).Count);
        Assert.Null(await node.StateSectorGetInfo(miner, 1, null));
        Assert.Null(await node.StateSectorPreCommitInfo(miner, 1, null));
    }

    [Fact]
    public async Task CreateMiner_refuses_unknown_owners_and_unsupported_sector_sizes()
    {
        await using var chain = DevnetTestChain.Create();
        var power = Address.FromId(SystemActors.Power);
        var stranger = Filecoin.Crypto.Secp256k1.AddressOf(DevnetTestChain.Key(55));
        Assert.Equal(16, (await chain.ExecAsync(0, power, TokenAmount.Zero, 2, new CreateMinerParams(stranger, chain.Accounts[1], 5, [], []).ToCbor())).ExitCode);
        Assert.Equal(16, (await chain.ExecAsync(0, power, TokenAmount.Zero, 2, new CreateMinerParams(chain.Accounts[0], chain.Accounts[1], 8, [], []).ToCbor())).ExitCode);
        Assert.Equal(21, (await chain.ExecAsync(0, power, TokenAmount.Zero, 2, [0x80])).ExitCode);
        var balance = await chain.Node.WalletBalance(chain.Accounts[0]);
        Assert.Equal(16, (await chain.ExecAsync(0, power, TokenAmount.FromFil(5), 2, new CreateMinerParams(chain.Accounts[0], chain.Accounts[1], 9, [], []).ToCbor())).ExitCode);
        Assert.True(balance - await chain.Node.WalletBalance(chain.Accounts[0]) < TokenAmount.FromFil(1), "a failed CreateMiner keeps its value");
        Assert.Equal(0, (await chain.ExecAsync(0, power, TokenAmount.Zero, 2, new CreateMinerParams(chain.Accounts[0], chain.Accounts[1], 11, [], []).ToCbor())).ExitCode);
    }

    [Fact]
    public async Task The_worker_changes_peer_id_and_multiaddrs_and_a_stranger_gets_exit_18()
    {
        await using var chain = DevnetTestChain.Create();
        var miner = await CreateMinerAsync(chain);
        byte[] newPeer = [0x00, 0x05, 1, 2, 3, 4, 5];
        byte[] newAddr = [0x04, 10, 0, 0, 1, 0x06, 0x10, 0x00];

        Assert.Equal(0, (await chain.ExecAsync(1, miner, TokenAmount.Zero, ActorMethods.Miner.ChangePeerId, new ChangePeerIdParams(newPeer).ToCbor())).ExitCode);
        Assert.Equal(0, (await chain.ExecAsync(1, miner, TokenAmount.Zero, ActorMethods.Miner.ChangeMultiaddrs, new ChangeMultiaddrsParams([newAddr, Multiaddr]).ToCbor())).ExitCode);
        var stranger = await chain.ExecAsync(2, miner, TokenAmount.Zero, ActorMethods.Miner.ChangePeerId, new ChangePeerIdParams([9, 9]).ToCbor());
        Assert.Equal(18, stranger.ExitCode);
        Assert.Equal(18, (await chain.ExecAsync(2, miner, TokenAmount.Zero, ActorMethods.Miner.ChangeMultiaddrs, new ChangeMultiaddrsParams([]).ToCbor())).ExitCode);
        Assert.Equal(16, (await chain.ExecAsync(1, miner, TokenAmount.Zero, ActorMethods.Miner.ChangeMultiaddrs, new ChangeMultiaddrsParams([new byte[600], new byte[600]]).ToCbor())).ExitCode);

        var info = await chain.Node.StateMinerInfo(miner, null);
        Assert.Equal(newPeer, info.PeerId);
        Assert.Equal([newAddr, Multiaddr], info.Multiaddrs);
    }

    [Fact]
    public async Task Only_the_owner_changes_the_worker_and_withdraws()
    {
        await using var chain = DevnetTestChain.Create();
        var miner = await CreateMinerAsync(chain, value: TokenAmount.FromFil(4));
        var change = new ChangeWorkerAddressParams(chain.Accounts[2], [Address.FromId(102)]).ToCbor();
        Assert.Equal(18, (await chain.ExecAsync(1, miner, TokenAmount.Zero, ActorMethods.Miner.ChangeWorkerAddress, change)).ExitCode);
        Assert.Equal(0, (await chain.ExecAsync(0, miner, TokenAmount.Zero, ActorMethods.Miner.ChangeWorkerAddress, change)).ExitCode);
        var info = await chain.Node.StateMinerInfo(miner, null);
        Assert.Equal(Address.FromId(103), info.Worker);
        Assert.Equal([Address.FromId(102)], info.ControlAddresses);

        var withdraw = new WithdrawBalanceParams(TokenAmount.FromFil(100)).ToCbor();
        Assert.Equal(18, (await chain.ExecAsync(2, miner, TokenAmount.Zero, ActorMethods.Miner.WithdrawBalance, withdraw)).ExitCode);
        var before = await chain.Node.WalletBalance(chain.Accounts[0]);
        var receipt = await chain.ExecAsync(0, miner, TokenAmount.Zero, ActorMethods.Miner.WithdrawBalance, withdraw);
        Assert.Equal(0, receipt.ExitCode);
        Assert.Equal(TokenAmount.FromFil(4), AmountReturn.FromCbor(receipt.Return));
        Assert.Equal(TokenAmount.Zero, await chain.Node.WalletBalance(miner));
        Assert.True(await chain.Node.WalletBalance(chain.Accounts[0]) > before + TokenAmount.FromFil(3));
        Assert.Equal(22, (await chain.ExecAsync(0, miner, TokenAmount.Zero, 99, [])).ExitCode);
    }

    private static Cid FakeSealedCid(byte seed) => new(1, Cid.FilCommitmentSealed, new Multihash(0xb401, Enumerable.Repeat(seed, 32).ToArray()));

    [Fact]
    public async Task An_unproven_precommit_expires_and_its_deposit_is_burnt()
    {
        await using var chain = DevnetTestChain.Create(policy: ChainPolicy.Devnet with { MaxProveCommitDuration = 30 });
        var miner = await CreateMinerAsync(chain, value: TokenAmount.FromFil(1));
        var epoch = (await chain.Node.ChainHead()).Height + 1;
        var policy = chain.Node.Policy;
        var sector = new SectorPreCommitInfo(5, 7, FakeSealedCid(7), epoch - 1, [], epoch + policy.MaxProveCommitDuration + policy.MinSectorExpiration + 1, null);
        var batch = new PreCommitSectorBatchParams([sector]);

        Assert.Equal(18, (await chain.ExecAsync(2, miner, TokenAmount.Zero, ActorMethods.Miner.PreCommitSectorBatch, batch.ToCbor())).ExitCode);
        var receipt = await chain.ExecAsync(1, miner, TokenAmount.Zero, ActorMethods.Miner.PreCommitSectorBatch, batch.ToCbor());
        Assert.Equal(0, receipt.ExitCode);
        var pre = await chain.Node.StateSectorPreCommitInfo(miner, 7, null);
        Assert.NotNull(pre);
        Assert.True(pre.PreCommitDeposit > TokenAmount.Zero);
        var burnt = await chain.Node.WalletBalance(Address.FromId(SystemActors.BurntFunds));

        await chain.AdvanceAsync((int)policy.MaxProveCommitDuration + 1);
        Assert.Null(await chain.Node.StateSectorPreCommitInfo(miner, 7, null));
        Assert.True(await chain.Node.WalletBalance(Address.FromId(SystemActors.BurntFunds)) >= burnt + pre.PreCommitDeposit);
        Assert.Equal(TokenAmount.FromFil(1) - pre.PreCommitDeposit, await chain.Node.WalletBalance(miner));
    }

    [Fact]
    public async Task A_precommit_needs_the_deposit_and_the_deals_CommD()
    {
        await using var chain = DevnetTestChain.Create();
        var miner = await CreateMinerAsync(chain, value: TokenAmount.Zero);
        var epoch = (await chain.Node.ChainHead()).Height + 1;
        var policy = chain.Node.Policy;
        var expiration = epoch + policy.MaxProveCommitDuration + policy.MinSectorExpiration + 2000;
        var cc = new SectorPreCommitInfo(5, 1, FakeSealedCid(1), epoch - 1, [], expiration, null);
        Assert.Equal(19, (await chain.ExecAsync(1, miner, TokenAmount.Zero, ActorMethods.Miner.PreCommitSectorBatch2, new PreCommitSectorBatchParams([cc]).ToCbor2())).ExitCode);

        await chain.ExecAsync(0, miner, TokenAmount.FromFil(1));
        await DevnetMarketTests.FundAsync(chain, 2, chain.Accounts[2], TokenAmount.FromFil(10));
        await DevnetMarketTests.FundAsync(chain, 1, miner, TokenAmount.FromFil(5));
        var start = (await chain.Node.ChainHead()).Height + 100;
        var proposal = DevnetMarketTests.Proposal(chain, miner, start, start + 500);
        var published = await chain.ExecAsync(1, Address.FromId(SystemActors.Market), TokenAmount.Zero, ActorMethods.Market.PublishStorageDeals,
            new PublishStorageDealsParams([Filecoin.Chain.ClientDealProposal.SignSecp256k1(proposal, chain.Keys[2])]).ToCbor());
        var deal = Assert.Single(PublishStorageDealsReturn.FromCbor(published.Return).Ids);

        epoch = (await chain.Node.ChainHead()).Height + 1;
        var wrongCommD = cc with { SectorNumber = 2, SealRandEpoch = epoch - 1, DealIds = [deal], UnsealedCid = PieceCid.V1(new byte[32]) };
        Assert.Equal(16, (await chain.ExecAsync(1, miner, TokenAmount.Zero, ActorMethods.Miner.PreCommitSectorBatch2, new PreCommitSectorBatchParams([wrongCommD]).ToCbor2())).ExitCode);
        var notMine = cc with { SectorNumber = 3, SealRandEpoch = epoch - 1, DealIds = [deal + 1] };
        Assert.Equal(17, (await chain.ExecAsync(1, miner, TokenAmount.Zero, ActorMethods.Miner.PreCommitSectorBatch, new PreCommitSectorBatchParams([notMine]).ToCbor())).ExitCode);

        epoch = (await chain.Node.ChainHead()).Height + 1;
        var right = cc with { SectorNumber = 4, SealRandEpoch = epoch - 1, DealIds = [deal], UnsealedCid = proposal.PieceCid };
        Assert.Equal(0, (await chain.ExecAsync(1, miner, TokenAmount.Zero, ActorMethods.Miner.PreCommitSectorBatch2, new PreCommitSectorBatchParams([right, cc with { SealRandEpoch = epoch - 1 }]).ToCbor2())).ExitCode);
        Assert.Equal(proposal.PieceCid, (await chain.Node.StateSectorPreCommitInfo(miner, 4, null))!.Info.UnsealedCid);
        Assert.NotNull(await chain.Node.StateSectorPreCommitInfo(miner, 1, null));
    }
}
