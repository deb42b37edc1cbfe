using Granary.Chain;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Devnet.Mining;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Grains.Placement;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Granary.Grains.Proving;

/// <inheritdoc cref="IProvingSchedulerGrain" />
/// <remarks>
/// Reentrant: heads arrive as one-way calls and only raise the wanted head; one loop acts on the newest wanted
/// head at a time, so a burst of heads (a silo catching up) is acted on once. The deadlines concerned by a head are
/// the open one (WindowPoSt) and the next <see cref="ProvingOptions.DeclarationLeadWindows"/> (faults and
/// recoveries must land before their cutoff). It keeps no state of its own: the deadline grains persist theirs,
/// the reminder is the durable part.
/// </remarks>
[RequiresSubsystem(Subsystem.Mining)]
[Reentrant]
public sealed partial class ProvingSchedulerGrain(
    IChainNode chain,
    ProvingSilos silos,
    IOptions<ProvingOptions> options,
    ILocalSiloDetails silo,
    ILogger<ProvingSchedulerGrain> logger) : Grain, IProvingSchedulerGrain, IRemindable
{
    /// <summary>The watchdog reminder's name.</summary>
    public const string WatchdogReminder = "proving-watchdog";

    private readonly ProvingOptions _options = options.Value;
    private Address _miner = null!;
    private string _minerText = "";
    private byte[] _entropy = [];
    private HeadNotice? _wanted;
    private long _settled = -1;
    private Task? _loop;
    private WinningPoStRecord? _winning;
    private long _winningCount;
    private long _winningEpoch = -1;
    private Task? _winningTask;
    private (long PeriodStart, ulong Index, ulong[] Sectors)? _active;
    private string? _keyError;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _minerText = this.GetPrimaryKeyString();
        try
        {
            _miner = ProvingMiner.Parse(_minerText);
        }
        catch (ProvingException e)
        {
            _keyError = e.Message; // refused by every call
            return Task.CompletedTask;
        }

        _entropy = Cbor.Encode(w => w.Address(_miner));

        // Activated after a restart or a failover: act on the current head now, not at the next head change.
        this.RegisterGrainTimer(CatchUpAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        DeactivationLog.Deactivating(logger, $"miner {_minerText}: the proving scheduler", silo.Name, reason);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<ProvingStatus> Start()
    {
        EnsureKey();
        try
        {
            await this.RegisterOrUpdateReminder(WatchdogReminder, _options.WatchdogPeriod, _options.WatchdogPeriod);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Without a reminder service the head changes still drive proving; only the watchdog is missing.
            LogNoWatchdog(_minerText, e.Message);
        }

        await CatchUpAsync(CancellationToken.None);
        return await Status();
    }

    /// <inheritdoc />
    public Task OnHead(HeadNotice head)
    {
        EnsureKey();
        Want(head);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ProvingStatus> Status()
    {
        EnsureKey();
        return Task.FromResult(new ProvingStatus(_minerText, _wanted?.Height ?? -1, _settled, silo.Name, _winning, _winningCount));
    }

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == WatchdogReminder ? CatchUpAsync(CancellationToken.None) : Task.CompletedTask;

    /// <inheritdoc />
    public Task<ProvingInfo> Info() => Reading(async () =>
    {
        var info = await chain.StateMinerProvingDeadline(_miner, null);
        var tick = ProvingTick.From(info);
        var all = await AllPartitionsAsync(tick);
        var current = all[(int)info.Index];
        var live = all.SelectMany(d => d).Sum(p => p.LiveSectors.Count);
        return new ProvingInfo(_minerText, info.CurrentEpoch, info.PeriodStart, info.WPoStProvingPeriod, info.WPoStPeriodDeadlines,
            DeadlineWindow.Of(tick, info.PeriodStart, info.Index), current.Count, current.Sum(p => p.AllSectors.Count),
            live, all.SelectMany(d => d).Sum(p => p.ActiveSectors.Count), all.SelectMany(d => d).Sum(p => p.FaultySectors.Count),
            all.SelectMany(d => d).Sum(p => p.RecoveringSectors.Count), await Status(), [.. silos.Names()]);
    });

    /// <inheritdoc />
    public Task<DeadlineRow[]> Deadlines() => Reading(async () =>
    {
        var info = await chain.StateMinerProvingDeadline(_miner, null);
        var tick = ProvingTick.From(info);
        var all = await AllPartitionsAsync(tick);
        var posts = await chain.StateMinerDeadlines(_miner, null);
        var rows = new List<DeadlineRow>();
        for (var d = 0; d < all.Count; d++)
        {
            var partitions = all[d];
            var window = DeadlineWindow.Of(tick, info.PeriodStart, (ulong)d);
            PoStAttempt? last = null;
            if (partitions.Count > 0)
            {
                var snapshot = await GrainFactory.GetGrain<IDeadlineGrain>(DeadlineGrain.Key(_minerText, (ulong)d)).Snapshot();
                var period = new[] { snapshot.Current, snapshot.Previous }.FirstOrDefault(p => p?.Window.PeriodStart == info.PeriodStart);
                last = period?.Posts.LastOrDefault();
            }

            rows.Add(new DeadlineRow((ulong)d, window.Open, (ulong)d == info.Index, partitions.Count, partitions.Sum(p => p.AllSectors.Count),
                partitions.Sum(p => p.LiveSectors.Count), partitions.Sum(p => p.FaultySectors.Count), partitions.Sum(p => p.RecoveringSectors.Count),
                d < posts.Count ? posts[d].PostSubmissions.Count : 0,
                last is null ? null : $"{last.Status.ToString().ToLowerInvariant()}{(last.Message is null ? "" : $" {last.Message}")}", last?.Height ?? -1));
        }

        return rows.ToArray();
    });

    /// <inheritdoc />
    public Task<FaultySector[]> Faults() => Reading(async () =>
    {
        var info = await chain.StateMinerProvingDeadline(_miner, null);
        var all = await AllPartitionsAsync(ProvingTick.From(info));
        return all.SelectMany((partitions, d) => partitions.SelectMany((p, i) => p.FaultySectors.Members.Order()
            .Select(s => new FaultySector((ulong)d, (ulong)i, s, p.RecoveringSectors.Contains(s))))).ToArray();
    });

    /// <inheritdoc />
    public Task<SectorCheckLine[]> Check(ulong deadline) => Reading(async () =>
    {
        var info = await chain.StateMinerProvingDeadline(_miner, null);
        if (deadline >= (ulong)info.WPoStPeriodDeadlines)
        {
            throw new ProvingException($"deadline {deadline} does not exist: a proving period has deadlines 0 to {info.WPoStPeriodDeadlines - 1}");
        }

        return await GrainFactory.GetGrain<IDeadlineGrain>(DeadlineGrain.Key(_minerText, deadline)).Check();
    });

    // The chain's refusals (an unknown miner, an unreachable node) as the caller's answer, which crosses silos.
    private async Task<T> Reading<T>(Func<Task<T>> read)
    {
        EnsureKey();
        try
        {
            return await read();
        }
        catch (ChainException e)
        {
            throw new ProvingException($"reading the chain: {e.Message}");
        }
    }

    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            var head = await chain.ChainHead(cancellationToken);
            Want(new HeadNotice(head.Height, [.. head.Blocks.Select(b => b.Miner.ToString())]));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogHeadUnreadable(_minerText, e.Message);
        }
    }

    private void Want(HeadNotice head)
    {
        if (_wanted is null || head.Height > _wanted.Height)
        {
            _wanted = head;
        }

        if (_loop is null || _loop.IsCompleted)
        {
            _loop = LoopAsync();
        }
    }

    private async Task LoopAsync()
    {
        while (_wanted is { } wanted && wanted.Height > _settled)
        {
            try
            {
                await ProcessAsync(wanted);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogHeadFailed(_minerText, wanted.Height, e.Message); // the next head (or the watchdog) tries again
            }

            _settled = Math.Max(_settled, wanted.Height);
        }
    }

    private async Task ProcessAsync(HeadNotice head)
    {
        var info = await chain.StateMinerProvingDeadline(_miner, null);
        var tick = ProvingTick.From(info);
        if (head.BlockMiners.Any(IsThisMiner) && head.Height > _winningEpoch && (_winningTask is null || _winningTask.IsCompleted))
        {
            _winningEpoch = head.Height;
            _winningTask = WinAsync(head.Height, tick);
        }

        var deadlines = Enumerable.Range(0, _options.DeclarationLeadWindows + 1).Select(tick.Following).Distinct();
        var steps = Task.WhenAll(deadlines.Select(async d =>
        {
            try
            {
                await GrainFactory.GetGrain<IDeadlineGrain>(DeadlineGrain.Key(_minerText, d)).Advance(tick);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDeadlineFailed(_minerText, d, tick.Head, e.Message);
            }
        }));
        try
        {
            await steps.WaitAsync(_options.HeadStepWait);
        }
        catch (TimeoutException)
        {
            LogSlowStep(_minerText, tick.Head, _options.HeadStepWait.TotalSeconds);
        }
    }

    // WinningPoSt: computed and verified, not submitted (the devnet elects the winner itself and does not ask for it).
    private async Task WinAsync(long epoch, ProvingTick tick)
    {
        try
        {
            var active = await ActiveSectorsAsync(tick);
            if (active.Length == 0)
            {
                _winning = new WinningPoStRecord(epoch, null, false, "the miner has no active sectors", null, 0, 0);
                return;
            }

            var randomness = await chain.StateGetRandomnessFromBeacon(DomainSeparationTag.WinningPoStChallengeSeed, epoch, _entropy, null);
            var number = WinningChallenge.Pick(randomness, _miner.Id, active);
            var info = await chain.StateSectorGetInfo(_miner, number, null)
                ?? throw new ProvingException($"sector {number} is active but the chain has no info for it");
            var sector = new ProvingSector(number, SectorCommitments.CommR(info.SealedCid), info.SealProof);
            var holders = await silos.HoldersAsync(_miner.Id, [number]);
            var prover = PartitionAssignment.Assign(new Dictionary<ulong, ulong[]> { [0] = [number] }, holders, silos.Names(), silo.Name)[0];
            var proof = await silos.Worker(prover).ProveWinning(new WinningProofRequest(_miner.Id, epoch, sector, randomness));
            _winning = new WinningPoStRecord(epoch, number, proof.Verified, proof.Reason, proof.Silo, proof.Seconds, proof.ProofBytes);
            _winningCount++;
            if (proof.Verified)
            {
                LogWinning(_minerText, epoch, number, proof.Silo, proof.Seconds);
            }
            else
            {
                LogWinningFailed(_minerText, epoch, proof.Reason ?? "?");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _winning = new WinningPoStRecord(epoch, null, false, e.Message, null, 0, 0);
            LogWinningFailed(_minerText, epoch, e.Message);
        }
    }

    // The sectors with power, read again when the deadline moves on (faults and proofs change them at deadlines).
    private async Task<ulong[]> ActiveSectorsAsync(ProvingTick tick)
    {
        if (_active is { } cached && cached.PeriodStart == tick.PeriodStart && cached.Index == tick.CurrentIndex)
        {
            return cached.Sectors;
        }

        var all = await AllPartitionsAsync(tick);
        var sectors = all.SelectMany(d => d).SelectMany(p => p.ActiveSectors.Members).Order().ToArray();
        _active = (tick.PeriodStart, tick.CurrentIndex, sectors);
        return sectors;
    }

    private async Task<List<IReadOnlyList<Partition>>> AllPartitionsAsync(ProvingTick tick)
    {
        var all = new List<IReadOnlyList<Partition>>();
        for (ulong d = 0; d < (ulong)tick.PeriodDeadlines; d++)
        {
            all.Add(await chain.StateMinerPartitions(_miner, d, null));
        }

        return all;
    }

    private void EnsureKey()
    {
        if (_keyError is not null)
        {
            throw new ProvingException(_keyError);
        }
    }

    private bool IsThisMiner(string address)
    {
        try
        {
            return Address.Parse(address) == _miner;
        }
        catch (Filecoin.FilecoinFormatException)
        {
            return false;
        }
    }
}
