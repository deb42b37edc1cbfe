using System.Collections.Concurrent;
using System.Numerics;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Granary.Chain;
using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Devnet.Mining;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;
using Granary.Grains.Miner;
using Granary.Grains.Placement;
using Granary.Grains.Proving;
using Granary.Grains.Storage;
using Granary.Silo.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;
using ChainSectorPreCommitInfo = Granary.Chain.Model.SectorPreCommitInfo;

namespace Granary.Grains.Tests;

/// <summary>
/// Proving on an in-process cluster (grain state and reminders in real SQLite) against a real devnet on a manual clock,
/// with 2 KiB sectors sealed by the engine into the proving silos' storage paths and committed through the miner grain.
/// The test mines the blocks: one at a time while a deadline is near, waiting each time until the proving scheduler
/// has acted on the new head; a jump of many blocks only where no deadline with sectors is near.
/// </summary>
public sealed class ProvingClusterTests
{
    [Fact]
    public async Task Deadlines_are_proven_once_by_the_silo_holding_their_files_a_lost_file_is_declared_faulty_and_recovers_when_restored()
    {
        await using var h = await ProvingHarness.StartAsync(3, name => name switch
        {
            "Silo_0" => ([Subsystem.Markets], null),
            "Silo_1" => ([Subsystem.Mining, Subsystem.SectorStorage], "a"),
            _ => ([Subsystem.Mining, Subsystem.SectorStorage], "b"),
        });
        var sectors = await h.SealAndCommitAsync(new() { ["a"] = [1, 2], ["b"] = [3] });
        var (x, xPartition) = await h.LocateAsync(1);
        Assert.Equal((x, xPartition), await h.LocateAsync(2));
        var (y, _) = await h.LocateAsync(3);
        Assert.NotEqual(x, y); // the chain fills a partition, then spreads sectors over empty deadlines

        // Period 1: each deadline proven once, by the silo that holds its files; the miner gains its power.
        await h.ProveBothAsync(x, y);
        Assert.Equal(1, h.Pushes.PoSts(x));
        Assert.Equal(1, h.Pushes.PoSts(y));
        Assert.Equal("Silo_1", (await h.LandedPoStAsync(x)).Silo);
        Assert.Equal("Silo_2", (await h.LandedPoStAsync(y)).Silo);
        Assert.Equal(3 * 2048, (await h.Devnet.StateMinerPower(h.Miner, null)).Miner.RawBytePower);
        Assert.Empty(h.Pushes.Methods(ActorMethods.Miner.DeclareFaults));

        // Period 2, with the markets silo gone: sector 2's replica is lost before the deadline's fault check.
        await h.Cluster.StopSiloAsync(h.Cluster.Silos.Single(s => s.Name == "Silo_0"));
        var lost = sectors[2].Paths.Sealed + ".away";
        File.Move(sectors[2].Paths.Sealed, lost);
        var window2 = await h.NextWindowAsync(x);
        long? declaredAt = null;
        await h.ProveBothAsync(x, y, async head =>
        {
            if (declaredAt is null && (await h.Devnet.StateMinerFaults(h.Miner, null)).Contains(2))
            {
                declaredAt = head;
                var check = await h.Scheduler().Check(x);
                Assert.Equal([(1UL, true), (2UL, false)], check.Select(c => (c.Sector, c.Ok)));
                Assert.Contains($"s-t0{h.Miner.Id}-2", check[1].Reason);
                Assert.Equal("Silo_1", check[1].Silo);
            }
        });
        Assert.NotNull(declaredAt);
        Assert.True(declaredAt < window2.FaultCutoff, $"declared at {declaredAt}, the cutoff was {window2.FaultCutoff}");
        var declaration = Assert.Single(h.Pushes.Methods(ActorMethods.Miner.DeclareFaults));
        Assert.Equal([(x, xPartition, 2UL)], DeclareFaultsParams.FromCbor(declaration.Params).Declarations
            .SelectMany(d => d.Sectors.Members.Select(s => (d.Deadline, d.Partition, s))));
        Assert.Equal(2, h.Pushes.PoSts(x));
        var faultyPost = await h.LandedPoStAsync(x);
        Assert.Equal(1, faultyPost.ProvenSectors); // sector 2 is faulty, so the proof leaves it out
        Assert.Empty(faultyPost.Skipped);
        Assert.Equal([2UL], (await h.Devnet.StateMinerFaults(h.Miner, null)).Members);
        Assert.Equal(2 * 2048, (await h.Devnet.StateMinerPower(h.Miner, null)).Miner.RawBytePower);
        Assert.Equal([new FaultySector(x, xPartition, 2, false)], await h.Scheduler().Faults());

        // Period 3: the replica is back, so the recovery is declared before the cutoff and the next proof heals it.
        File.Move(lost, sectors[2].Paths.Sealed);
        var window3 = await h.NextWindowAsync(x);
        long? recoveringAt = null;
        await h.ProveBothAsync(x, y, async head =>
        {
            var partition = (await h.Devnet.StateMinerPartitions(h.Miner, x, null))[(int)xPartition];
            recoveringAt ??= partition.RecoveringSectors.Contains(2) ? head : null;
        });
        Assert.True(recoveringAt < window3.FaultCutoff, $"recovering at {recoveringAt}, the cutoff was {window3.FaultCutoff}");
        Assert.Single(h.Pushes.Methods(ActorMethods.Miner.DeclareFaultsRecovered));
        Assert.Equal(2, (await h.LandedPoStAsync(x)).ProvenSectors);
        Assert.Equal(0, (await h.Devnet.StateMinerFaults(h.Miner, null)).Count);
        Assert.Equal(3 * 2048, (await h.Devnet.StateMinerPower(h.Miner, null)).Miner.RawBytePower);
        Assert.Equal((3, 3), (h.Pushes.PoSts(x), h.Pushes.PoSts(y)));

        // The miner has won every block since it had power: its WinningPoSts are computed and verify.
        var status = await h.Scheduler().Status();
        Assert.True(status.WinningCount > 0);
        Assert.NotNull(status.Winning);
        Assert.True(status.Winning.Verified, status.Winning.Reason);
        Assert.Contains(status.Winning.Sector!.Value, new ulong[] { 1, 2, 3 });

        var info = await h.Scheduler().Info();
        Assert.Equal((3, 3, 0, 0), (info.Sectors, info.Active, info.Faults, info.Recovering));
        Assert.Equal(["Silo_1", "Silo_2"], info.Provers);
        var rows = await h.Scheduler().Deadlines();
        Assert.Equal(48, rows.Length);
        Assert.Equal((1, 2, 0), (rows[x].Partitions, rows[x].Sectors, rows[x].Faults));
        Assert.StartsWith("landed ", rows[x].PoSt);
    }

    [Fact]
    public async Task A_proving_silo_killed_after_sending_its_WindowPoSt_is_replaced_and_the_deadline_is_submitted_exactly_once()
    {
        // Silos started later take Silo_1's role and repo: the same machine coming back.
        await using var h = await ProvingHarness.StartAsync(2, name => name == "Silo_0"
            ? ([Subsystem.Markets], null)
            : ([Subsystem.Mining, Subsystem.SectorStorage], "a"));
        await h.SealAndCommitAsync(new() { ["a"] = [1] });
        var (x, partition) = await h.LocateAsync(1);
        var window = await h.NextWindowAsync(x);

        await h.FastForwardAsync(window.Open - 1);
        await h.StepAsync(); // the window opens: the deadline grain proves and sends
        var sent = await h.Pushes.WaitAsync(p => p.Method == ActorMethods.Miner.SubmitWindowedPoSt);
        Assert.Equal(x, SubmitWindowedPoStParams.FromCbor(sent.Params).Deadline);
        await h.Cluster.KillSiloAsync(h.Cluster.Silos.Single(s => s.Name == "Silo_1"));
        var replacement = await h.Cluster.StartAdditionalSiloAsync();
        await h.AttachedAsync(replacement.Name, "a");

        var proven = false;
        while ((await h.Devnet.ChainHead()).Height + 1 < window.Close)
        {
            await h.StepAsync();
            proven |= (await h.Devnet.StateMinerDeadlines(h.Miner, null))[(int)x].PostSubmissions.Contains(partition);
        }

        Assert.True(proven);
        Assert.Equal(1, h.Pushes.PoSts(x));
        var attempt = await h.LandedPoStAsync(x);
        var snapshot = await h.Cluster.Client.GetGrain<IDeadlineGrain>(DeadlineGrain.Key(h.MinerText, x)).Snapshot();
        Assert.Equal(replacement.Name, snapshot.Silo);
        Assert.Equal(attempt.Id, Assert.Single(snapshot.Current!.Posts).Id);
        await h.StepAsync(2); // past the close: a partition without a proof would be detected faulty now
        Assert.Equal(0, (await h.Devnet.StateMinerFaults(h.Miner, null)).Count);
        Assert.Equal(1, h.Pushes.PoSts(x));
    }

    [Fact]
    public async Task A_WindowPoSt_that_cannot_be_sent_is_proven_and_sent_again_while_the_window_is_open()
    {
        await using var h = await ProvingHarness.StartAsync(2, name => name == "Silo_0"
            ? ([Subsystem.Markets], null)
            : ([Subsystem.Mining, Subsystem.SectorStorage], "a"));
        await h.SealAndCommitAsync(new() { ["a"] = [1] });
        var (x, partition) = await h.LocateAsync(1);
        var window = await h.NextWindowAsync(x);
        var deadline = h.Cluster.Client.GetGrain<IDeadlineGrain>(DeadlineGrain.Key(h.MinerText, x));

        // The worker key is missing when the window opens: the first attempt fails before anything is pushed.
        h.WithholdKeys = true;
        await h.FastForwardAsync(window.Open - 1);
        PoStAttempt? failed = null;
        while (failed is null)
        {
            await h.StepAsync();
            failed = (await deadline.Snapshot()).Current?.Posts.FirstOrDefault(a => a.Status == MessageStatus.Failed);
            Assert.True((await h.Devnet.ChainHead()).Height < window.Close - 2, "the failed attempt was never given up on");
        }

        Assert.Contains("has no key", failed.Error);
        Assert.Empty(h.Pushes.Methods(ActorMethods.Miner.SubmitWindowedPoSt));

        h.WithholdKeys = false;
        var proven = false;
        while (!proven)
        {
            await h.StepAsync();
            proven = (await h.Devnet.StateMinerDeadlines(h.Miner, null))[(int)x].PostSubmissions.Contains(partition);
            Assert.True((await h.Devnet.ChainHead()).Height < window.Close, "the deadline closed unproven");
        }

        await h.StepAsync(); // the miner grain waits for one epoch on top before it reports the landing
        await h.LandedPoStAsync(x);
        Assert.Equal(1, h.Pushes.PoSts(x));
        var posts = (await deadline.Snapshot()).Current!.Posts;
        Assert.InRange(posts.Count, 2, 3);
        Assert.All(posts[..^1], a => Assert.Equal(MessageStatus.Failed, a.Status));
    }

    [Fact]
    public async Task A_restarted_silo_acts_on_the_current_head_at_once_and_checks_refuse_bad_deadlines()
    {
        await using var h = await ProvingHarness.StartAsync(2, name => name == "Silo_0"
            ? ([Subsystem.Markets], null)
            : ([Subsystem.Mining, Subsystem.SectorStorage], "a"));
        await h.SealAndCommitAsync(new() { ["a"] = [1] });
        var (x, _) = await h.LocateAsync(1);
        var window = await h.NextWindowAsync(x);

        // The proving silo is gone for a whole declaration window and comes back with the deadline open.
        await h.FastForwardAsync(window.Open - 25);
        await h.Cluster.KillSiloAsync(h.Cluster.Silos.Single(s => s.Name == "Silo_1"));
        await h.Clock.AdvanceAsync((int)(window.Open - (await h.Devnet.ChainHead()).Height));
        var replacement = await h.Cluster.StartAdditionalSiloAsync();
        await h.AttachedAsync(replacement.Name, "a");
        var sent = await h.Pushes.WaitAsync(p => p.Method == ActorMethods.Miner.SubmitWindowedPoSt);
        Assert.Equal(window.Open, (await h.Devnet.ChainHead()).Height); // no block mined since: the activation acted by itself
        Assert.Equal(x, SubmitWindowedPoStParams.FromCbor(sent.Params).Deadline);
        await h.StepAsync(2);
        Assert.Equal(1, h.Pushes.PoSts(x));
        Assert.Contains(0UL, (await h.Devnet.StateMinerDeadlines(h.Miner, null))[(int)x].PostSubmissions.Members);
        await h.LandedPoStAsync(x);

        var wrong = await Assert.ThrowsAsync<ProvingException>(() => h.Scheduler().Check(48));
        Assert.Contains("deadlines 0 to 47", wrong.Message);
        Assert.Empty(await h.Scheduler().Check((x + 1) % 48));
        // The scheduler's watchdog reminder is registered (in the database, so it outlives the silo).
        var reminders = await h.Services(replacement.Name).GetRequiredService<IReminderTable>()
            .ReadRows(h.Cluster.Client.GetGrain<IProvingSchedulerGrain>(h.MinerText).GetGrainId());
        var watchdog = Assert.Single(reminders.Reminders, r => r.ReminderName == ProvingSchedulerGrain.WatchdogReminder);
        Assert.Equal(TimeSpan.FromMinutes(1), watchdog.Period);

        var bad = await Assert.ThrowsAsync<ProvingException>(() => h.Cluster.Client.GetGrain<IDeadlineGrain>("t01000").Snapshot());
        Assert.Contains("is not a deadline key", bad.Message);
        var notMiner = await Assert.ThrowsAsync<ProvingException>(() => h.Cluster.Client.GetGrain<IProvingSchedulerGrain>("miner-1").Status());
        Assert.Contains("is not a miner address", notMiner.Message);

        // The deadline grain's state survives the grain storage serializer (Newtonsoft JSON with type names).
        var serializer = h.Services(replacement.Name).GetRequiredService<Orleans.Storage.IGrainStorageSerializer>();
        var snapshot = await h.Cluster.Client.GetGrain<IDeadlineGrain>(DeadlineGrain.Key(h.MinerText, x)).Snapshot();
        var state = new DeadlineGrainState { Current = snapshot.Current, Previous = snapshot.Previous };
        var restored = serializer.Deserialize<DeadlineGrainState>(serializer.Serialize(state))!;
        var post = Assert.Single(restored.Current!.Posts);
        Assert.Equal((MessageStatus.Landed, snapshot.Current!.Window), (post.Status, restored.Current.Window));
        Assert.Equal(snapshot.Current.Posts[0].Partitions, post.Partitions);
    }
}

/// <summary>A devnet on a manual clock, an in-process cluster proving for one miner, and what the test drives them with.</summary>
internal sealed class ProvingHarness : IAsyncDisposable
{
    public static readonly byte[] OwnerKey = Blake2b.Hash256("granary proving test owner"u8);
    public static readonly byte[] WorkerKey = Blake2b.Hash256("granary proving test worker"u8);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _directory = Directory.CreateTempSubdirectory("granary-proving-").FullName;
    private readonly Dictionary<string, string> _pathIds = [];

    private ProvingHarness()
    {
    }

    public ManualDevnetClock Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    public DevnetNode Devnet { get; private set; } = null!;

    public PushLog Pushes { get; private set; } = null!;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public Address Miner { get; private set; } = null!;

    public string MinerText => Miner.ToString('t');

    /// <summary>While set, the mining silos' keystores lack the worker key (its messages cannot be signed).</summary>
    public bool WithholdKeys { get; set; }

    private byte[] Entropy => Cbor.Encode(w => w.Address(Miner));

    /// <summary>
    /// Creates the miner, then the cluster: <paramref name="role"/> gives each silo (by name, later ones too) its
    /// subsystems and, for silos with sector storage, the repo whose <c>storage.json</c> it uses; <paramref name="cluster"/>
    /// changes the cluster builder last (null: nothing).
    /// </summary>
    public static async Task<ProvingHarness> StartAsync(short silos, Func<string, (Subsystem[] Roles, string? Repo)> role,
        Action<InProcessTestClusterBuilder>? cluster = null)
    {
        var h = new ProvingHarness();
        await h.InitializeAsync(silos, role, cluster);
        return h;
    }

    public IProvingSchedulerGrain Scheduler() => Cluster.Client.GetGrain<IProvingSchedulerGrain>(MinerText);

    public IServiceProvider Services(string silo) => Cluster.GetSiloServiceProvider(Cluster.Silos.Single(s => s.Name == silo).SiloAddress);

    /// <summary>Seals the sectors into each repo's storage path, pre-commits and prove-commits them through the miner grain, and declares their files.</summary>
    public async Task<Dictionary<ulong, SealedTestSector>> SealAndCommitAsync(Dictionary<string, ulong[]> byRepo)
    {
        var ticketEpoch = (await Devnet.ChainHead()).Height;
        var ticket = await Devnet.StateGetRandomnessFromTickets(DomainSeparationTag.SealRandomness, ticketEpoch, Entropy, null);
        var sealedSectors = new Dictionary<ulong, SealedTestSector>();
        foreach (var (repo, numbers) in byRepo)
        {
            foreach (var number in numbers)
            {
                sealedSectors[number] = ProvingTestSectors.Seal(Root(repo), Miner.Id, number, ticket);
            }
        }

        var expiration = ticketEpoch + Devnet.Policy.MaxProveCommitDuration + Devnet.Policy.MinSectorExpiration + 200;
        var preCommit = new PreCommitSectorBatchParams([.. sealedSectors.Values.OrderBy(s => s.Sector.Number).Select(s =>
            new ChainSectorPreCommitInfo(s.Sector.SealProof, s.Sector.Number, SectorCommitments.SealedCid(s.Sector.CommR), ticketEpoch, [], expiration, null))]);
        var preCommitted = await SendAsync(ActorMethods.Miner.PreCommitSectorBatch, preCommit.ToCbor());

        var seedEpoch = preCommitted.Height + Devnet.Policy.PreCommitChallengeDelay;
        await Clock.AdvanceAsync((int)(seedEpoch - (await Devnet.ChainHead()).Height));
        var seed = await Devnet.StateGetRandomnessFromBeacon(DomainSeparationTag.InteractiveSealChallengeSeed, seedEpoch, Entropy, null);
        var ordered = sealedSectors.Values.OrderBy(s => s.Sector.Number).ToList();
        var prove = new ProveCommitSectors3Params([.. ordered.Select(s => new SectorActivationManifest(s.Sector.Number, []))],
            [.. ordered.Select(s => s.ProveAndFinalize(seed))], RequireActivationSuccess: true);
        var proven = await SendAsync(ActorMethods.Miner.ProveCommitSectors3, prove.ToCbor());
        Assert.Equal((ulong)ordered.Count, BatchReturn.FromCbor(proven.Return).SuccessCount);

        var index = Cluster.Client.GetGrain<ISectorIndexGrain>(0);
        foreach (var (repo, numbers) in byRepo)
        {
            foreach (var number in numbers)
            {
                await index.DeclareSector(_pathIds[repo], new SectorId(Miner.Id, number), SectorFileType.Sealed, primary: true);
                await index.DeclareSector(_pathIds[repo], new SectorId(Miner.Id, number), SectorFileType.Cache, primary: true);
            }
        }

        await SettledAsync();
        return sealedSectors;
    }

    public async Task<(ulong Deadline, ulong Partition)> LocateAsync(ulong sector)
    {
        for (ulong d = 0; d < 48; d++)
        {
            var partitions = await Devnet.StateMinerPartitions(Miner, d, null);
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

    /// <summary>The deadline's window that has not closed yet.</summary>
    public async Task<DeadlineWindow> NextWindowAsync(ulong deadline) =>
        ProvingTick.From(await Devnet.StateMinerProvingDeadline(Miner, null)).Window(deadline);

    /// <summary>
    /// Mines up to just before the earlier deadline's fault check, then one block at a time until both deadlines'
    /// windows have closed, calling <paramref name="each"/> after every block; both must have been proven.
    /// </summary>
    public async Task ProveBothAsync(ulong x, ulong y, Func<long, Task>? each = null)
    {
        var windows = new[] { await NextWindowAsync(x), await NextWindowAsync(y) };
        await FastForwardAsync(windows.Min(w => w.Open - (2 * w.ChallengeWindow)) - 2);
        var proven = new HashSet<ulong>();
        while ((await Devnet.ChainHead()).Height < windows.Max(w => w.Close))
        {
            await StepAsync();
            var head = (await Devnet.ChainHead()).Height;
            var posts = await Devnet.StateMinerDeadlines(Miner, null);
            foreach (var w in windows.Where(w => posts[(int)w.Index].PostSubmissions.Count > 0))
            {
                proven.Add(w.Index);
            }

            if (each is not null)
            {
                await each(head);
            }
        }

        Assert.True(proven.SetEquals([x, y]), $"proven: {string.Join(",", proven)} of {x} and {y}");
    }

    /// <summary>The last WindowPoSt the deadline grain recorded, which must have landed.</summary>
    /// <remarks>The grain records the landing when the miner grain's wait returns, just after the block on top is applied: polled.</remarks>
    public async Task<PoStAttempt> LandedPoStAsync(ulong deadline)
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            var snapshot = await Cluster.Client.GetGrain<IDeadlineGrain>(DeadlineGrain.Key(MinerText, deadline)).Snapshot();
            var period = new[] { snapshot.Current, snapshot.Previous }.OfType<DeadlinePeriod>().Where(p => p.Posts.Count > 0).MaxBy(p => p.Window.PeriodStart)
                ?? throw new InvalidOperationException($"deadline {deadline} recorded no WindowPoSt");
            var attempt = period.Posts[^1];
            if (attempt.Status is not (MessageStatus.Sending or MessageStatus.Pending) || DateTime.UtcNow > until)
            {
                Assert.True(attempt.Status == MessageStatus.Landed, $"{attempt.Status}: {attempt.Error}");
                return attempt;
            }

            await Task.Delay(10); // polling the grain's record, not standing in for work
        }
    }

    public async Task FastForwardAsync(long epoch)
    {
        var head = (await Devnet.ChainHead()).Height;
        if (epoch > head)
        {
            await Clock.AdvanceAsync((int)(epoch - head));
        }

        await SettledAsync();
    }

    /// <summary>Mines <paramref name="blocks"/> blocks one by one, waiting after each until the scheduler has acted on it.</summary>
    public async Task StepAsync(int blocks = 1)
    {
        for (var i = 0; i < blocks; i++)
        {
            await Clock.AdvanceAsync(1);
            await SettledAsync();
        }
    }

    /// <summary>Waits until the proving scheduler has acted on the current head (whichever silo hosts it).</summary>
    public async Task SettledAsync()
    {
        var head = (await Devnet.ChainHead()).Height;
        var deadline = DateTime.UtcNow + Patience;
        ProvingStatus? last = null;
        while (true)
        {
            try
            {
                last = await Scheduler().Status().WaitAsync(TimeSpan.FromSeconds(5));
                if (last.Settled >= head)
                {
                    return;
                }
            }
            catch (Exception e) when (e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or SubsystemUnavailableException)
            {
                // the silo hosting the scheduler is going away; ask again
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the proving scheduler did not act on head {head} within {Patience}: last {last}");
            }

            await Task.Delay(10); // polling the scheduler, not standing in for work
        }
    }

    /// <summary>Waits until a restarted silo has its repo's storage path attached again in the index.</summary>
    public async Task AttachedAsync(string silo, string repo)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (Services(silo).GetRequiredService<LocalStorage>().PathStatus(_pathIds[repo]) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"silo {silo} never opened repo {repo}'s path");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Devnet.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    // A miner message through the miner grain: wait for its push, then mine the block and one on top (its confidence).
    private async Task<MinerReceipt> SendAsync(ulong method, byte[] parameters)
    {
        var call = Cluster.Client.GetGrain<IMinerGrain>(MinerText).Send(method, parameters, BigInteger.Zero);
        await Pushes.WaitAsync(p => p.Method == method, call);
        await Clock.AdvanceAsync(2);
        return await call.WaitAsync(Patience);
    }

    private string Root(string repo) => Path.Combine(_directory, repo, "store");

    private async Task InitializeAsync(short silos, Func<string, (Subsystem[] Roles, string? Repo)> role, Action<InProcessTestClusterBuilder>? cluster)
    {
        Devnet = DevnetNode.Open(new DevnetOptions
        {
            DatabasePath = Path.Combine(_directory, "devnet.db"),
            Clock = Clock,
            Genesis = [new GenesisAccount(OwnerKey, TokenAmount.FromFil(1_000)), new GenesisAccount(WorkerKey, TokenAmount.FromFil(1_000))],
        });
        var owner = Secp256k1.AddressOf(OwnerKey);
        var create = new CreateMinerParams(owner, Secp256k1.AddressOf(WorkerKey), 5, [0x00, 0x04, 1, 1, 1, 1], []).ToCbor();
        var message = MessageGas.Default.Apply(new Message(0, Address.FromId(SystemActors.Power), owner, 0, TokenAmount.FromFil(100), 0,
            TokenAmount.Zero, TokenAmount.Zero, ActorMethods.Power.CreateMiner, create));
        var cid = await Devnet.MpoolPush(SignedMessage.SignSecp256k1(message, OwnerKey));
        await Clock.AdvanceAsync(1);
        Miner = CreateMinerReturn.FromCbor((await Devnet.StateWaitMsg(cid, 0)).Receipt.Return).IdAddress;
        Pushes = PushLog.Wrap(Devnet, out var chain);

        var database = DatabaseTarget.Resolve("sqlite:state.db", _directory);
        await SchemaMigrator.ApplyAsync(database);
        var builder = new InProcessTestClusterBuilder(silos);
        if (Environment.GetEnvironmentVariable("GRANARY_TEST_LOG") is { Length: > 0 } logFile)
        {
            // A debugging aid: every silo's log in one file.
            builder.ConfigureSiloHost((options, host) => host.Logging.AddProvider(new FileLog(logFile, options.SiloName)).SetMinimumLevel(LogLevel.Debug)
                .AddFilter("Orleans", LogLevel.Warning).AddFilter("Microsoft", LogLevel.Warning));
        }

        builder.ConfigureSilo((options, silo) =>
        {
            var name = options.SiloName;
            var (roles, repo) = role(name);
            var subsystems = SubsystemSet.Of(roles);
            silo.UseSubsystems(subsystems);
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
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
            silo.Services.AddSingleton(chain);
            silo.Services.AddSingleton<IMinerKeys>(new Keys(subsystems.Contains(Subsystem.Mining) ? [OwnerKey, WorkerKey] : [], () => WithholdKeys));
            silo.Services.Configure<MinerGrainOptions>(o => o.MessageTimeout = TimeSpan.FromSeconds(30));
            silo.ConfigureSectorIndex(TimeSpan.FromSeconds(2));
            if (repo is not null)
            {
                var directory = Directory.CreateDirectory(Path.Combine(_directory, repo)).FullName;
                silo.AddLocalStorage(_ => new LocalStorageOptions
                {
                    StorageFile = Path.Combine(directory, "storage.json"),
                    SiloName = name,
                    RemoteUrl = $"http://127.0.0.1:9/{repo}/remote", // nothing is fetched: each prover holds its sectors
                    HeartbeatInterval = TimeSpan.FromMilliseconds(200),
                });
            }

            silo.UseProving(subsystems, new ProvingOptions { ProofThreads = 2 }, () => MinerText);
        });
        cluster?.Invoke(builder);
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        foreach (var silo in Cluster.Silos)
        {
            if (role(silo.Name).Repo is { } repo)
            {
                var config = LocalStorage.Initialize(Root(repo), StoragePathConfig.Create(10, false, true, 0));
                await Services(silo.Name).GetRequiredService<LocalStorage>().AttachAsync(Root(repo));
                _pathIds[repo] = config.Id;
            }
        }

        await SettledAsync();
    }

    private sealed class Keys(byte[][] keys, Func<bool> withheld) : IMinerKeys
    {
        public string Source => "the test's keys";

        public byte[]? Find(Address address) => withheld() ? null : keys.FirstOrDefault(k => Secp256k1.AddressOf(k) == address);
    }

    private sealed class FileLog(string path, string silo) : ILoggerProvider
    {
        private static readonly Lock Gate = new();

        public ILogger CreateLogger(string categoryName) => new Writer(path, silo, categoryName);

        public void Dispose()
        {
        }

        private sealed class Writer(string path, string silo, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (Gate)
                {
                    File.AppendAllText(path, $"{DateTime.UtcNow:HH:mm:ss.fff} {silo} {logLevel} {category.Split('.')[^1]}: {formatter(state, exception)}{(exception is null ? "" : $" {exception.GetType().Name}: {exception.Message}")}\n");
                }
            }
        }
    }
}

/// <summary>An <see cref="IChainNode"/> passing every call through and recording each successful <c>MpoolPush</c>: method, params, CID.</summary>
public class PushLog : DispatchProxy
{
    private readonly ConcurrentQueue<PushedMessage> _pushed = new();
    private readonly SemaphoreSlim _signal = new(0);
    private IChainNode _inner = null!;

    /// <summary>Every message pushed so far, in order.</summary>
    public IReadOnlyList<PushedMessage> All => [.. _pushed];

    public static PushLog Wrap(IChainNode inner, out IChainNode proxy)
    {
        proxy = Create<IChainNode, PushLog>();
        var log = (PushLog)(object)proxy;
        log._inner = inner;
        return log;
    }

    /// <summary>The pushed messages calling <paramref name="method"/>.</summary>
    public IReadOnlyList<PushedMessage> Methods(ulong method) => [.. _pushed.Where(p => p.Method == method)];

    /// <summary>How many WindowPoSts were pushed for <paramref name="deadline"/>.</summary>
    public int PoSts(ulong deadline) =>
        Methods(ActorMethods.Miner.SubmitWindowedPoSt).Count(p => SubmitWindowedPoStParams.FromCbor(p.Params).Deadline == deadline);

    /// <summary>Waits for a push matching <paramref name="match"/> that is not yet seen by an earlier wait.</summary>
    public async Task<PushedMessage> WaitAsync(Func<PushedMessage, bool> match, Task? failsFirst = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (_pushed.FirstOrDefault(p => match(p) && !p.Seen) is { } found)
            {
                found.Seen = true;
                return found;
            }

            if (failsFirst is { IsFaulted: true })
            {
                await failsFirst; // the call failed before pushing: its exception is the test's failure
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"no matching push within 60 s; pushed: {string.Join(", ", _pushed.Select(p => p.Method))}");
            }

            await _signal.WaitAsync(left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
        }
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

        return targetMethod.Name == nameof(IChainNode.MpoolPush) && result is Task<Cid> push ? Observe(push, (SignedMessage)args![0]!) : result;
    }

    private async Task<Cid> Observe(Task<Cid> push, SignedMessage message)
    {
        var cid = await push;
        _pushed.Enqueue(new PushedMessage(cid, message.Message.Method, message.Message.Params));
        _signal.Release();
        return cid;
    }
}

/// <summary>A message the SP pushed.</summary>
public sealed record PushedMessage(Cid Cid, ulong Method, byte[] Params)
{
    /// <summary>Whether a wait has taken it.</summary>
    public bool Seen { get; set; }
}
