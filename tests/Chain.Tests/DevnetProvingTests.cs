using System.Formats.Cbor;
using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Encoding;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;
using Granary.Proofs;
using Granary.Proofs.PoSt;
using Granary.Proofs.Seal;

namespace Granary.Chain.Tests;

/// <summary>
/// A storage provider's whole path on the devnet with the real Proofs engine and 2 KiB sectors, every step a signed
/// message: pre-commit a batch (one sector with a published deal, one committed-capacity), wait out the seed delay,
/// prove-commit (ProveCommitSector and ProveCommitSectors3), WindowPoSt in the sector's deadline, win blocks, then
/// miss the next period's deadline and become faulty.
/// </summary>
public sealed class DevnetProvingTests : IDisposable
{
    private const int Owner = 0;
    private const int Worker = 1;
    private const int Client = 2;
    private static readonly SealProofType Type = SealProofType.Sector2KiB;
    private readonly string _sectors = Directory.CreateTempSubdirectory("granary-devnet-sectors-").FullName;
    private DevnetTestChain _chain = null!;

    public void Dispose() => Directory.Delete(_sectors, recursive: true);

    [Fact]
    public async Task A_miner_precommits_proves_posts_wins_blocks_and_goes_faulty_when_it_misses_a_deadline()
    {
        await using var chain = _chain = DevnetTestChain.Create();
        var node = chain.Node;
        var miner = await DevnetMinerTests.CreateMinerAsync(chain, Owner, Worker, proofType: 5, value: TokenAmount.FromFil(10));
        var entropy = Entropy(miner);
        await chain.AdvanceAsync(2);

        // Seal with the chain's ticket: sector 1 holds one full-size piece (a deal), sector 2 is zeros (committed capacity).
        var ticketEpoch = (await node.ChainHead()).Height;
        var ticket = await node.StateGetRandomnessFromTickets(DomainSeparationTag.SealRandomness, ticketEpoch, entropy, null);
        var withDeal = Seal(miner, 1, ticket, new Random(1));
        var capacity = Seal(miner, 2, ticket, null);

        await DevnetMarketTests.FundAsync(chain, Client, chain.Accounts[Client], TokenAmount.FromFil(10));
        await DevnetMarketTests.FundAsync(chain, Worker, miner, TokenAmount.FromFil(5));
        var start = (await node.ChainHead()).Height + 200;
        var proposal = DevnetMarketTests.Proposal(chain, miner, start, start + 1000, Client) with { PieceCid = PieceCid.V1(withDeal.Pc1.CommD) };
        var published = await chain.ExecAsync(Worker, Address.FromId(SystemActors.Market), TokenAmount.Zero, ActorMethods.Market.PublishStorageDeals,
            new PublishStorageDealsParams([ClientDealProposal.SignSecp256k1(proposal, chain.Keys[Client])]).ToCbor());
        var dealId = Assert.Single(PublishStorageDealsReturn.FromCbor(published.Return).Ids);

        // Pre-commit both in one batch (method 25 carries no CommD: the chain computes it from the deal).
        var preCommitEpoch = (await node.ChainHead()).Height + 1;
        var expiration = preCommitEpoch + node.Policy.MaxProveCommitDuration + node.Policy.MinSectorExpiration + 100;
        var batch = new PreCommitSectorBatchParams([
            new SectorPreCommitInfo(Type.Id, 1, SealedCid(withDeal.Pc2.CommR), ticketEpoch, [dealId], expiration, null),
            new SectorPreCommitInfo(Type.Id, 2, SealedCid(capacity.Pc2.CommR), ticketEpoch, [], expiration, null)]);
        Assert.Equal(0, (await chain.ExecAsync(Worker, miner, TokenAmount.Zero, ActorMethods.Miner.PreCommitSectorBatch, batch.ToCbor())).ExitCode);
        var pre = await node.StateSectorPreCommitInfo(miner, 1, null);
        Assert.NotNull(pre);
        Assert.Equal(preCommitEpoch, pre.PreCommitEpoch);
        Assert.Equal(PieceCid.V1(withDeal.Pc1.CommD), pre.Info.UnsealedCid);

        // Too early: the seed epoch has not passed (exit 18).
        var seedEpoch = preCommitEpoch + node.Policy.PreCommitChallengeDelay;
        var early = await chain.ExecAsync(Worker, miner, TokenAmount.Zero, ActorMethods.Miner.ProveCommitSector, new ProveCommitSectorParams(1, [1, 2, 3]).ToCbor());
        Assert.Equal(18, early.ExitCode);
        while ((await node.ChainHead()).Height < seedEpoch)
        {
            await chain.AdvanceAsync();
        }

        var seed = await node.StateGetRandomnessFromBeacon(DomainSeparationTag.InteractiveSealChallengeSeed, seedEpoch, entropy, null);
        var proof = withDeal.Prove(seed);
        var damaged = (byte[])proof.Clone();
        damaged[damaged.Length / 3] ^= 0x01;
        Assert.Equal(16, (await chain.ExecAsync(Worker, miner, TokenAmount.Zero, ActorMethods.Miner.ProveCommitSector, new ProveCommitSectorParams(1, damaged).ToCbor())).ExitCode);
        Assert.Equal(-1, (await node.StateMarketStorageDeal(dealId, null)).State.SectorStartEpoch);

        // Prove sector 1 alone (anyone may send ProveCommitSector) and sector 2 with ProveCommitSectors3, in the same block.
        var proveOne = await chain.PushAsync(Client, miner, TokenAmount.Zero, ActorMethods.Miner.ProveCommitSector, new ProveCommitSectorParams(1, proof).ToCbor());
        var proveTwo = await chain.PushAsync(Worker, miner, TokenAmount.Zero, ActorMethods.Miner.ProveCommitSectors3,
            new ProveCommitSectors3Params([new SectorActivationManifest(2, [])], [capacity.Prove(seed)], RequireActivationSuccess: true).ToCbor());
        await chain.AdvanceAsync();
        Assert.Equal(0, (await chain.WaitAsync(proveOne)).Receipt.ExitCode);
        var three = await chain.WaitAsync(proveTwo);
        Assert.Equal(0, three.Receipt.ExitCode);
        Assert.Equal(1UL, BatchReturn.FromCbor(three.Receipt.Return).SuccessCount);
        var proveEpoch = three.Height;

        Assert.Null(await node.StateSectorPreCommitInfo(miner, 1, null));
        var sector = await node.StateSectorGetInfo(miner, 1, null);
        Assert.NotNull(sector);
        Assert.Equal([dealId], sector.DealIds);
        Assert.Equal(expiration, sector.Expiration);
        var deal = await node.StateMarketStorageDeal(dealId, null);
        Assert.Equal((1UL, proveEpoch), (deal.State.SectorNumber, deal.State.SectorStartEpoch));
        Assert.False((await node.StateMinerPower(miner, null)).HasMinPower); // power comes with the first WindowPoSt

        // Both sectors share a partition; wait for its deadline to open.
        var (deadline, partition) = await LocateAsync(miner, 1);
        Assert.Equal((deadline, partition), await LocateAsync(miner, 2));
        var info = await WaitForDeadlineAsync(miner, deadline);
        var randomness = await node.StateGetRandomnessFromBeacon(DomainSeparationTag.WindowedPoStChallengeSeed, info.Challenge, entropy, null);
        var commitRand = await node.StateGetRandomnessFromTickets(DomainSeparationTag.PoStChainCommit, info.Challenge, [], null);
        var onChain = new[] { withDeal, capacity }.Select(s => new PoStSector(s.Number, s.Pc2.CommR, s.Paths)).ToList();
        var minerInfo = await node.StateMinerInfo(miner, null);
        byte[] Post(byte[] r) => new SubmitWindowedPoStParams(deadline, [new PoStPartition(partition, BitField.Empty)],
            [new PoStProof(minerInfo.WindowPoStProofType, PoStProver.Prove(Type, PoStKind.Window, r, onChain).Proof)], info.Challenge, commitRand).ToCbor();

        var wrongChallenge = await node.StateGetRandomnessFromBeacon(DomainSeparationTag.WindowedPoStChallengeSeed, info.Challenge - 1, entropy, null);
        Assert.Equal(16, (await chain.ExecAsync(Worker, miner, TokenAmount.Zero, ActorMethods.Miner.SubmitWindowedPoSt, Post(wrongChallenge))).ExitCode);
        Assert.Equal(18, (await chain.ExecAsync(Client, miner, TokenAmount.Zero, ActorMethods.Miner.SubmitWindowedPoSt, Post(randomness))).ExitCode);
        Assert.Equal(0, (await chain.ExecAsync(Worker, miner, TokenAmount.Zero, ActorMethods.Miner.SubmitWindowedPoSt, Post(randomness))).ExitCode);

        var power = await node.StateMinerPower(miner, null);
        Assert.True(power.HasMinPower);
        Assert.Equal(2 * 2048, power.Miner.RawBytePower);
        Assert.Equal(power.Miner, power.Total);
        Assert.Contains(partition, (await node.StateMinerDeadlines(miner, null))[(int)deadline].PostSubmissions.Members);

        // The only miner with power wins every block and is paid its reward.
        var balance = await node.WalletBalance(miner);
        await chain.AdvanceAsync();
        Assert.Equal(miner, (await node.ChainHead()).Blocks[0].Miner);
        Assert.True(await node.WalletBalance(miner) >= balance + TokenAmount.FromFil(10));

        // Next period: no WindowPoSt, so when the deadline closes its sectors are faulty and lose their power.
        var next = info.Open + node.Policy.WPoStProvingPeriod;
        while ((await node.ChainHead()).Height < next + node.Policy.WPoStChallengeWindow)
        {
            await chain.AdvanceAsync();
        }

        Assert.Equal([1UL, 2UL], (await node.StateMinerFaults(miner, null)).Members);
        Assert.False((await node.StateMinerPower(miner, null)).HasMinPower);
        var partitions = await node.StateMinerPartitions(miner, deadline, null);
        Assert.Equal([1UL, 2UL], partitions[(int)partition].FaultySectors.Members);
        Assert.Equal(Address.FromId(SystemActors.System), (await node.ChainHead()).Blocks[0].Miner);

        // It survives a restart.
        await chain.ReopenAsync();
        node = chain.Node;
        Assert.Equal([1UL, 2UL], (await node.StateMinerFaults(miner, null)).Members);
        Assert.Equal(proveEpoch, (await node.StateMarketStorageDeal(dealId, null)).State.SectorStartEpoch);

        // Declared recovered, the sectors heal with the next WindowPoSt that proves them.
        var recovery = new DeclareFaultsParams([new SectorDeclaration(deadline, partition, new BitField([1, 2]))]).ToCbor();
        Assert.Equal(18, (await chain.ExecAsync(Client, miner, TokenAmount.Zero, ActorMethods.Miner.DeclareFaultsRecovered, recovery)).ExitCode);
        Assert.Equal(0, (await chain.ExecAsync(Worker, miner, TokenAmount.Zero, ActorMethods.Miner.DeclareFaultsRecovered, recovery)).ExitCode);
        Assert.Equal([1UL, 2UL], (await node.StateMinerPartitions(miner, deadline, null))[(int)partition].RecoveringSectors.Members);
        info = await WaitForDeadlineAsync(miner, deadline);
        randomness = await node.StateGetRandomnessFromBeacon(DomainSeparationTag.WindowedPoStChallengeSeed, info.Challenge, entropy, null);
        commitRand = await node.StateGetRandomnessFromTickets(DomainSeparationTag.PoStChainCommit, info.Challenge, [], null);
        Assert.Equal(0, (await chain.ExecAsync(Worker, miner, TokenAmount.Zero, ActorMethods.Miner.SubmitWindowedPoSt, Post(randomness))).ExitCode);
        Assert.Equal(0, (await node.StateMinerFaults(miner, null)).Count);
        Assert.Equal(2 * 2048, (await node.StateMinerPower(miner, null)).Miner.RawBytePower);

        // Declaring a fault ahead of the deadline takes the sector's power away at once.
        await WaitForDeadlineAsync(miner, (deadline + 2) % 48);
        var fault = new DeclareFaultsParams([new SectorDeclaration(deadline, partition, new BitField([2]))]).ToCbor();
        Assert.Equal(0, (await chain.ExecAsync(Worker, miner, TokenAmount.Zero, ActorMethods.Miner.DeclareFaults, fault)).ExitCode);
        Assert.Equal([2UL], (await node.StateMinerFaults(miner, null)).Members);
        Assert.Equal(2048, (await node.StateMinerPower(miner, null)).Miner.RawBytePower);
    }

    [Fact]
    public async Task A_sector_faulty_for_longer_than_FaultMaxAge_is_terminated_and_its_deal_slashed()
    {
        await using var chain = _chain = DevnetTestChain.Create(policy: ChainPolicy.Devnet with { FaultMaxAge = 30 });
        var node = chain.Node;
        var miner = await DevnetMinerTests.CreateMinerAsync(chain, Owner, Worker, proofType: 5, value: TokenAmount.FromFil(10));
        var entropy = Entropy(miner);
        await chain.AdvanceAsync(2);
        var ticketEpoch = (await node.ChainHead()).Height;
        var sector = Seal(miner, 1, await node.StateGetRandomnessFromTickets(DomainSeparationTag.SealRandomness, ticketEpoch, entropy, null), new Random(3));
        await DevnetMarketTests.FundAsync(chain, Client, chain.Accounts[Client], TokenAmount.FromFil(10));
        await DevnetMarketTests.FundAsync(chain, Worker, miner, TokenAmount.FromFil(5));
        var start = (await node.ChainHead()).Height + 100;
        var proposal = DevnetMarketTests.Proposal(chain, miner, start, start + 2000, Client) with { PieceCid = PieceCid.V1(sector.Pc1.CommD) };
        var published = await chain.ExecAsync(Worker, Address.FromId(SystemActors.Market), TokenAmount.Zero, ActorMethods.Market.PublishStorageDeals,
            new PublishStorageDealsParams([ClientDealProposal.SignSecp256k1(proposal, chain.Keys[Client])]).ToCbor());
        var dealId = Assert.Single(PublishStorageDealsReturn.FromCbor(published.Return).Ids);
        var preCommitEpoch = (await node.ChainHead()).Height + 1;
        var expiration = proposal.EndEpoch + node.Policy.MaxProveCommitDuration + node.Policy.MinSectorExpiration;
        var batch = new PreCommitSectorBatchParams([new SectorPreCommitInfo(Type.Id, 1, SealedCid(sector.Pc2.CommR), ticketEpoch, [dealId], expiration, null)]);
        Assert.Equal(0, (await chain.ExecAsync(Worker, miner, TokenAmount.Zero, ActorMethods.Miner.PreCommitSectorBatch, batch.ToCbor())).ExitCode);
        await chain.AdvanceAsync((int)node.Policy.PreCommitChallengeDelay);
        var seed = await node.StateGetRandomnessFromBeacon(DomainSeparationTag.InteractiveSealChallengeSeed, preCommitEpoch + node.Policy.PreCommitChallengeDelay, entropy, null);
        Assert.Equal(0, (await chain.ExecAsync(Worker, miner, TokenAmount.Zero, ActorMethods.Miner.ProveCommitSector, new ProveCommitSectorParams(1, sector.Prove(seed)).ToCbor())).ExitCode);
        var provider = await node.StateMarketBalance(miner, null);
        var client = await node.StateMarketBalance(chain.Accounts[Client], null);

        // Never proven by a WindowPoSt: faulty at its deadline's close, terminated FaultMaxAge later.
        while (await node.StateSectorGetInfo(miner, 1, null) is not null)
        {
            await chain.AdvanceAsync();
            Assert.True((await node.ChainHead()).Height < preCommitEpoch + 600, "the sector was never terminated");
        }

        var deal = await node.StateMarketStorageDeal(dealId, null);
        Assert.True(deal.State.SlashEpoch > deal.State.SectorStartEpoch);
        var elapsed = deal.State.SlashEpoch - proposal.StartEpoch;
        var payment = proposal.StoragePricePerEpoch.AttoFil * Math.Max(0, elapsed);
        Assert.Equal(new MarketBalance(new TokenAmount(provider.Escrow.AttoFil + payment) - proposal.ProviderCollateral, TokenAmount.Zero),
            await node.StateMarketBalance(miner, null));
        Assert.Equal(new MarketBalance(new TokenAmount(client.Escrow.AttoFil - payment), TokenAmount.Zero), await node.StateMarketBalance(chain.Accounts[Client], null));
    }

    // A miner's randomness entropy: its address as a CBOR byte string.
    private static byte[] Entropy(Address miner)
    {
        var writer = new CborWriter();
        writer.WriteByteString(miner.ToBytes());
        return writer.Encode();
    }

    // Filecoin's prover id: the actor id as an unsigned varint, zero-padded to 32 bytes.
    private static byte[] ProverId(Address miner)
    {
        var id = new byte[32];
        Varint.Write(miner.Id, id);
        return id;
    }

    private static Cid SealedCid(byte[] commR) => new(1, Cid.FilCommitmentSealed, new Multihash(0xb401, commR));

    private SealedSector Seal(Address miner, ulong number, byte[] ticket, Random? data)
    {
        var sealer = new Sealer(Type);
        var paths = SectorPaths.Under(_sectors, miner.Id, number);
        var bytes = new byte[Type.SectorSize];
        if (data is not null)
        {
            data.NextBytes(bytes);
            for (var i = 31; i < bytes.Length; i += 32)
            {
                bytes[i] &= 0x3F; // Fr32: every 32-byte node below 2^254
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(paths.Unsealed)!);
        File.WriteAllBytes(paths.Unsealed, bytes);
        var pc1 = sealer.PreCommit1(paths, ProverId(miner), number, ticket);
        return new SealedSector(sealer, number, paths, pc1, sealer.PreCommit2(paths, pc1));
    }

    private async Task<(ulong Deadline, ulong Partition)> LocateAsync(Address miner, ulong sector)
    {
        for (ulong d = 0; d < 48; d++)
        {
            var partitions = await _chain.Node.StateMinerPartitions(miner, d, null);
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

    // Mines until the next block lands inside the deadline's challenge window.
    private async Task<DeadlineInfo> WaitForDeadlineAsync(Address miner, ulong deadline)
    {
        for (var i = 0; i < 2 * _chain.Node.Policy.WPoStProvingPeriod; i++)
        {
            var info = await _chain.Node.StateMinerProvingDeadline(miner, null);
            if (info.Index == deadline && info.CurrentEpoch + 1 < info.Close)
            {
                return info;
            }

            await _chain.AdvanceAsync();
        }

        throw new InvalidOperationException($"deadline {deadline} never opened");
    }

    private sealed record SealedSector(Sealer Sealer, ulong Number, SectorPaths Paths, Proofs.Seal.PreCommit1Output Pc1, PreCommit2Output Pc2)
    {
        public byte[] Prove(byte[] seed) => Sealer.Commit2(Sealer.Commit1(Paths, Pc1, Pc2, seed));
    }
}
