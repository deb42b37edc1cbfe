using Granary.Chain.Devnet.Actors;
using Granary.Chain.Devnet.Mining;
using Granary.Grains.Placement;
using Granary.Grains.Proving;
using Granary.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Grains.Tests;

/// <summary>
/// Proving on the in-process cluster of <see cref="ProvingHarness"/> (grain state and reminders in real SQLite, a real
/// devnet on a manual clock verifying every WindowPoSt, 2 KiB sectors sealed by the engine): the markets silo going
/// down while a deadline is open, and a deadline whose two partitions are held by two proving silos.
/// </summary>
public sealed class ProvingPipelineClusterTests
{
    [Fact]
    public async Task The_markets_silo_going_down_while_a_deadline_is_open_leaves_it_submitted_once_and_on_time()
    {
        await using var h = await ProvingHarness.StartAsync(2, name => name == "Silo_0"
            ? ([Subsystem.Markets], null)
            : ([Subsystem.Mining, Subsystem.SectorStorage], "a"));
        await h.SealAndCommitAsync(new() { ["a"] = [1] });
        var (x, partition) = await h.LocateAsync(1);
        var window = await h.NextWindowAsync(x);

        // Faults checked and nothing declared; then the window opens and, in the same moment, the markets silo dies.
        await h.FastForwardAsync(window.Open - 1);
        await h.Clock.AdvanceAsync(1);
        await h.Cluster.KillSiloAsync(h.Cluster.Silos.Single(s => s.Name == "Silo_0"));
        await h.SettledAsync();

        var provenAt = (long?)null;
        while ((await h.Devnet.ChainHead()).Height + 1 < window.Close)
        {
            await h.StepAsync();
            if (provenAt is null && (await h.Devnet.StateMinerDeadlines(h.Miner, null))[(int)x].PostSubmissions.Contains(partition))
            {
                provenAt = (await h.Devnet.ChainHead()).Height;
            }
        }

        Assert.NotNull(provenAt);
        Assert.InRange(provenAt.Value, window.Open, window.Close - 1);
        var landed = await h.LandedPoStAsync(x);
        Assert.InRange(landed.Height, window.Open, window.Close - 1);
        Assert.Equal("Silo_1", landed.Silo);
        Assert.Equal(1, landed.ProvenSectors);
        Assert.Equal(1, h.Pushes.PoSts(x));
        Assert.Empty(h.Pushes.Methods(ActorMethods.Miner.DeclareFaults));

        // Past the close: the chain found the partition proven (no fault), and nothing was sent again.
        await h.StepAsync(2);
        Assert.Equal(0, (await h.Devnet.StateMinerFaults(h.Miner, null)).Count);
        Assert.Equal(1, h.Pushes.PoSts(x));
        Assert.Equal(2048, (await h.Devnet.StateMinerPower(h.Miner, null)).Miner.RawBytePower);
    }

    [Fact]
    public async Task A_deadline_whose_two_partitions_are_on_two_proving_silos_is_submitted_once_per_partition_and_both_are_proven()
    {
        // 2 KiB sectors have 2-sector partitions and the chain spreads new sectors over empty deadlines first: 46
        // deadlines can take sectors at once, so 94 sectors committed together fill the lowest of them with a second
        // partition (sectors 1, 2 in partition 0; 93, 94 in partition 1). Silo_1 holds 1..92, Silo_2 holds 93 and 94.
        await using var h = await ProvingHarness.StartAsync(3, name => name switch
        {
            "Silo_0" => ([Subsystem.Markets], null),
            "Silo_1" => ([Subsystem.Mining, Subsystem.SectorStorage], "a"),
            _ => ([Subsystem.Mining, Subsystem.SectorStorage], "b"),
        });
        await SealAndCommitInOneBlockAsync(h, new() { ["Silo_1"] = [.. Enumerable.Range(1, 92).Select(n => (ulong)n)], ["Silo_2"] = [93, 94] });
        var (x, first) = await h.LocateAsync(1);
        Assert.Equal((x, first), await h.LocateAsync(2));
        Assert.Equal((x, first + 1), await h.LocateAsync(93));
        Assert.Equal((x, first + 1), await h.LocateAsync(94));
        Assert.Equal(2, (await h.Devnet.StateMinerPartitions(h.Miner, x, null)).Count);

        var window = await h.NextWindowAsync(x);
        await h.FastForwardAsync(window.Open - (2 * window.ChallengeWindow) - 2);
        var provenBoth = false;
        while ((await h.Devnet.ChainHead()).Height + 1 < window.Close)
        {
            await h.StepAsync();
            var submissions = (await h.Devnet.StateMinerDeadlines(h.Miner, null))[(int)x].PostSubmissions;
            provenBoth |= submissions.Contains(first) && submissions.Contains(first + 1);
        }

        Assert.True(provenBoth, $"deadline {x} did not get both partitions proven in its window");
        await h.LandedPoStAsync(x);

        // Each partition is in exactly one message, sent by the silo holding its files; nothing was sent twice.
        var sent = h.Pushes.Methods(ActorMethods.Miner.SubmitWindowedPoSt)
            .Select(p => SubmitWindowedPoStParams.FromCbor(p.Params))
            .Where(p => p.Deadline == x)
            .SelectMany(p => p.Partitions.Select(q => q.Index))
            .Order()
            .ToList();
        Assert.Equal([first, first + 1], sent);
        var snapshot = await h.Cluster.Client.GetGrain<IDeadlineGrain>(DeadlineGrain.Key(h.MinerText, x)).Snapshot();
        var posts = snapshot.Current!.Posts.OrderBy(p => p.Partitions[0]).ToList();
        Assert.Equal(2, posts.Count);
        Assert.All(posts, p => Assert.Equal(MessageStatus.Landed, p.Status));
        Assert.All(posts, p => Assert.InRange(p.Height, window.Open, window.Close - 1));
        Assert.Equal([(first, "Silo_1", 2), (first + 1, "Silo_2", 2)], posts.Select(p => (Assert.Single(p.Partitions), p.Silo, p.ProvenSectors)));
        Assert.All(posts, p => Assert.Empty(p.Skipped));

        // Past the close: neither partition has a fault, and nothing more was sent for the deadline.
        await h.StepAsync(2);
        var partitions = await h.Devnet.StateMinerPartitions(h.Miner, x, null);
        Assert.All(partitions, p => Assert.Equal(0, p.FaultySectors.Count));
        Assert.Equal(2, h.Pushes.PoSts(x));
    }

    // Seals the sectors into each silo's storage path, pre-commits them in one message and prove-commits them in
    // messages of about 200 KB of proofs (a message's params are at most 256 KiB) that land in one block, so the chain assigns
    // them all to deadlines at one epoch; then declares their files in the sector index.
    private static async Task SealAndCommitInOneBlockAsync(ProvingHarness h, Dictionary<string, ulong[]> bySilo)
    {
        var entropy = Cbor.Encode(w => w.Address(h.Miner));
        var ticketEpoch = (await h.Devnet.ChainHead()).Height;
        var ticket = await h.Devnet.StateGetRandomnessFromTickets(Granary.Chain.Model.DomainSeparationTag.SealRandomness, ticketEpoch, entropy, null);
        var sealedSectors = new List<(string Silo, string PathId, SealedTestSector Sector)>();
        foreach (var (silo, numbers) in bySilo)
        {
            var path = Assert.Single(h.Services(silo).GetRequiredService<LocalStorage>().Paths());
            foreach (var number in numbers)
            {
                sealedSectors.Add((silo, path.Config.Id, ProvingTestSectors.Seal(path.Root, h.Miner.Id, number, ticket)));
            }
        }

        var ordered = sealedSectors.OrderBy(s => s.Sector.Sector.Number).ToList();
        var miner = h.Cluster.Client.GetGrain<Granary.Grains.Miner.IMinerGrain>(h.MinerText);
        var expiration = ticketEpoch + h.Devnet.Policy.MaxProveCommitDuration + h.Devnet.Policy.MinSectorExpiration + 200;
        var preCommit = new PreCommitSectorBatchParams([.. ordered.Select(s => new Granary.Chain.Model.SectorPreCommitInfo(s.Sector.Sector.SealProof,
            s.Sector.Sector.Number, SectorCommitments.SealedCid(s.Sector.Sector.CommR), ticketEpoch, [], expiration, null))]);
        var preCommitted = miner.Send(ActorMethods.Miner.PreCommitSectorBatch, preCommit.ToCbor(), System.Numerics.BigInteger.Zero);
        await h.Pushes.WaitAsync(p => p.Method == ActorMethods.Miner.PreCommitSectorBatch, preCommitted);
        await h.Clock.AdvanceAsync(2);
        var seedEpoch = (await preCommitted.WaitAsync(TimeSpan.FromSeconds(60))).Height + h.Devnet.Policy.PreCommitChallengeDelay;
        await h.Clock.AdvanceAsync((int)(seedEpoch - (await h.Devnet.ChainHead()).Height));
        var seed = await h.Devnet.StateGetRandomnessFromBeacon(Granary.Chain.Model.DomainSeparationTag.InteractiveSealChallengeSeed, seedEpoch, entropy, null);

        var proofs = ordered.Select(s => (s.Sector.Sector.Number, Proof: s.Sector.ProveAndFinalize(seed))).ToList();
        var chunks = new List<List<(ulong Number, byte[] Proof)>> { new() };
        foreach (var proof in proofs)
        {
            if (chunks[^1].Sum(p => p.Proof.Length) + proof.Proof.Length > 200_000)
            {
                chunks.Add([]);
            }

            chunks[^1].Add(proof);
        }

        var sends = new List<Task<Granary.Grains.Miner.MinerReceipt>>();
        foreach (var chunk in chunks)
        {
            var prove = new ProveCommitSectors3Params([.. chunk.Select(s => new SectorActivationManifest(s.Number, []))],
                [.. chunk.Select(s => s.Proof)], RequireActivationSuccess: true);
            var send = miner.Send(ActorMethods.Miner.ProveCommitSectors3, prove.ToCbor(), System.Numerics.BigInteger.Zero);
            await h.Pushes.WaitAsync(p => p.Method == ActorMethods.Miner.ProveCommitSectors3, send);
            sends.Add(send);
        }

        await h.Clock.AdvanceAsync(2); // all of them in the next block, and one on top
        var receipts = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Single(receipts.Select(r => r.Height).Distinct());
        Assert.Equal((ulong)ordered.Count, receipts.Aggregate(0UL, (n, r) => n + BatchReturn.FromCbor(r.Return).SuccessCount));

        var index = h.Cluster.Client.GetGrain<ISectorIndexGrain>(0);
        foreach (var (_, pathId, sector) in ordered)
        {
            var id = new SectorId(h.Miner.Id, sector.Sector.Number);
            await index.DeclareSector(pathId, id, SectorFileType.Sealed, primary: true);
            await index.DeclareSector(pathId, id, SectorFileType.Cache, primary: true);
        }

        await h.SettledAsync();
    }
}
