using System.Globalization;
using System.Numerics;
using Granary.Chain;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Devnet.Mining;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Grains.Miner;
using Granary.Grains.Placement;
using Granary.Grains.Sectors;
using Granary.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Storage;
using ChainDeclaration = Granary.Chain.Devnet.Actors.SectorDeclaration;
using SectorState = Granary.Grains.Sectors.SectorState;

namespace Granary.Grains.Proving;

/// <inheritdoc cref="IDeadlineGrain" />
/// <remarks>
/// Reentrant, so <see cref="Snapshot"/> and <see cref="Check"/> answer while a step runs; steps run one at a time
/// behind a gate, and a step waiting for the gate gives way to a newer head. A step pushes its messages through the
/// miner grain (<see cref="IMinerGrain.Push"/>, keyed by the record's id, so a record is pushed at most once) and returns
/// once the node has them; their landing is followed in the background and recorded when they land.
/// <para>
/// Exactly once: a SubmitWindowedPoSt is recorded (<see cref="MessageStatus.Sending"/>) and persisted before it is
/// sent. A record this activation is not sending (the grain restarted) is reconciled before anything new is sent:
/// its partitions proven on chain (<c>StateMinerDeadlines</c> PostSubmissions) make it landed; a WindowPoSt still
/// pending at the miner grain is waited for; only one that is neither, two epochs after it was recorded (a message
/// pushed lands in the next epoch), is taken as never sent, and its partitions are proven again.
/// </para>
/// </remarks>
[RequiresSubsystem(Subsystem.Mining)]
[Reentrant]
public sealed partial class DeadlineGrain(
    [PersistentState("deadline", GrainStorage.Name)] IPersistentState<DeadlineGrainState> state,
    IChainNode chain,
    ProvingSilos silos,
    IOptions<ProvingOptions> options,
    ILocalSiloDetails silo,
    ILogger<DeadlineGrain> logger) : Grain, IDeadlineGrain
{
    /// <summary>Epochs after a WindowPoSt was recorded before one not on chain and not pending counts as never sent.</summary>
    public const long ReconcileEpochs = 2;

    /// <summary>Longest a message pushed is waited for to land before its record says pending (checked again later).</summary>
    public static readonly TimeSpan LandingWait = TimeSpan.FromMinutes(5);

    private readonly ProvingOptions _options = options.Value;
    private readonly SemaphoreSlim _step = new(1, 1);
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly HashSet<Guid> _inflight = [];
    private readonly Dictionary<ulong, ProvingSector> _sectors = [];
    private Address _miner = null!;
    private string _minerText = "";
    private ulong _index;
    private byte[] _entropy = [];
    private long? _postProofType;
    private ProvingTick? _latest;
    private long _settled = -1;
    private bool _lastFailed;
    private string? _keyError;

    /// <summary>The key of deadline <paramref name="index"/> of <paramref name="miner"/>.</summary>
    public static string Key(string miner, ulong index) => string.Create(CultureInfo.InvariantCulture, $"{miner}/{index}");

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A bad key is refused by every call (an exception here would surface as an activation failure instead).
        var key = this.GetPrimaryKeyString();
        var slash = key.LastIndexOf('/');
        if (slash > 0 && ulong.TryParse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _index) && _index < 1024)
        {
            try
            {
                _miner = ProvingMiner.Parse(key[..slash]);
                _minerText = key[..slash];
                _entropy = Cbor.Encode(w => w.Address(_miner));
            }
            catch (ProvingException e)
            {
                _keyError = e.Message;
            }
        }
        else
        {
            _keyError = $"'{key}' is not a deadline key (MINER/INDEX, e.g. t01000/17)";
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        DeactivationLog.Deactivating(logger, $"miner {_minerText} deadline {_index}", silo.Name, reason);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task Advance(ProvingTick tick)
    {
        EnsureKey();
        if (_latest is { } seen && (tick.Head < seen.Head || (tick.Head == seen.Head && !_lastFailed)))
        {
            return;
        }

        _latest = tick;
        await _step.WaitAsync();
        try
        {
            if (!ReferenceEquals(_latest, tick))
            {
                return; // a newer head waits behind this one and will do the work
            }

            try
            {
                await StepAsync(tick);
                _lastFailed = false;
            }
            catch (InconsistentStateException e)
            {
                // Another activation wrote first (a brief duplicate during a membership change): nothing was sent
                // on the strength of the rejected write; carry on from what is stored.
                _lastFailed = true;
                LogStepFailed(_minerText, _index, tick.Head, e.Message);
                await state.ReadStateAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _lastFailed = true;
                LogStepFailed(_minerText, _index, tick.Head, e.Message);
                if (state.State.Current is { } period)
                {
                    period.LastError = $"epoch {tick.Head}: {e.Message}";
                    await SaveQuietlyAsync();
                }
            }

            _settled = Math.Max(_settled, tick.Head);
        }
        finally
        {
            _step.Release();
        }
    }

    /// <inheritdoc />
    public Task<DeadlineSnapshot> Snapshot()
    {
        EnsureKey();
        return Task.FromResult(new DeadlineSnapshot(_index, _settled, state.State.Current, state.State.Previous, silo.Name));
    }

    /// <inheritdoc />
    public async Task<SectorCheckLine[]> Check()
    {
        EnsureKey();
        IReadOnlyList<Partition> partitions;
        try
        {
            partitions = await chain.StateMinerPartitions(_miner, _index, null);
        }
        catch (ChainException e)
        {
            throw new ProvingException($"reading deadline {_index} from the chain: {e.Message}");
        }

        var live = Live(partitions);
        var (checks, unasked) = await CheckPartitionsAsync(live);
        var lines = new List<SectorCheckLine>();
        foreach (var (partition, sectors) in live.OrderBy(p => p.Key))
        {
            foreach (var sector in sectors)
            {
                lines.Add(checks.TryGetValue(sector, out var c) ? new SectorCheckLine(_index, partition, sector, c.Ok, c.Reason, c.Silo)
                    : unasked.TryGetValue(sector, out var failed) ? new SectorCheckLine(_index, partition, sector, false, $"not checked: {failed.Error}", failed.Silo)
                    : new SectorCheckLine(_index, partition, sector, false, "not checked: its silo gave no answer for it", ""));
            }
        }

        return [.. lines];
    }

    private async Task StepAsync(ProvingTick tick)
    {
        var window = tick.Window(_index);
        var period = await PeriodAsync(window);
        if (!period.Checked && window.DeclarationOpen(tick.Head, _options.DeclarationLeadWindows))
        {
            await DeclareAsync(tick, period);
        }

        if (!period.Proven && window.ProvingOpen(tick.Head))
        {
            await ProveAsync(tick, period);
        }
    }

    // The record of the window's period; a new period moves the last one to Previous.
    private async Task<DeadlinePeriod> PeriodAsync(DeadlineWindow window)
    {
        if (state.State.Current is { } current && current.Window.PeriodStart == window.PeriodStart)
        {
            return current;
        }

        if (state.State.Current is { } old && old.Window.PeriodStart < window.PeriodStart)
        {
            state.State.Previous = old;
        }

        var period = new DeadlinePeriod { Window = window };
        state.State.Current = period;
        await SaveAsync();
        return period;
    }

    // Faults and recoveries for the coming window: what the last check found, against what the chain says.
    private async Task DeclareAsync(ProvingTick tick, DeadlinePeriod period)
    {
        var partitions = await chain.StateMinerPartitions(_miner, _index, null);
        var live = Live(partitions);
        var (checks, unasked) = await CheckPartitionsAsync(live);
        period.CheckedAt = tick.Head;
        period.CheckedSectors = checks.Count;
        period.Unreadable = checks.Values.Where(c => !c.Ok).ToDictionary(c => c.Sector, c => c.Reason ?? "unreadable");
        foreach (var (sector, (where, error)) in unasked)
        {
            LogNotChecked(_minerText, _index, sector, where, error);
        }

        var busyFaults = Busy(period, ActorMethods.Miner.DeclareFaults);
        var busyRecoveries = Busy(period, ActorMethods.Miner.DeclareFaultsRecovered);
        var faults = new Dictionary<ulong, List<ulong>>();
        var recoveries = new Dictionary<ulong, List<ulong>>();
        foreach (var (index, sectors) in live)
        {
            var partition = partitions[(int)index];
            foreach (var sector in sectors)
            {
                if (!checks.TryGetValue(sector, out var check))
                {
                    continue; // its silo could not be asked: nothing is declared on a guess
                }

                var faulty = partition.FaultySectors.Contains(sector);
                var recovering = partition.RecoveringSectors.Contains(sector);
                if (!check.Ok && (!faulty || recovering) && !busyFaults.Contains(sector))
                {
                    Add(faults, index, sector); // a recovering sector unreadable again retracts its recovery
                }
                else if (check.Ok && faulty && !recovering && !busyRecoveries.Contains(sector))
                {
                    Add(recoveries, index, sector);
                }
            }
        }

        // Sectors whose silo could not be asked are checked again at the next head, while the cutoff allows; so is
        // everything if a declaration fails (its send clears the flag).
        period.Checked = unasked.Count == 0;
        if (faults.Count > 0)
        {
            await StartDeclarationAsync(period, ActorMethods.Miner.DeclareFaults, faults, tick.Head);
        }

        if (recoveries.Count > 0)
        {
            await StartDeclarationAsync(period, ActorMethods.Miner.DeclareFaultsRecovered, recoveries, tick.Head);
        }

        await SaveAsync();
    }

    private async Task StartDeclarationAsync(DeadlinePeriod period, ulong method, Dictionary<ulong, List<ulong>> sectors, long head)
    {
        var attempt = new DeclarationAttempt { Method = method, Sectors = sectors, Status = MessageStatus.Sending, Epoch = head };
        period.Declarations.Add(attempt);
        var parameters = new DeclareFaultsParams([.. sectors.OrderBy(s => s.Key)
            .Select(s => new ChainDeclaration(_index, s.Key, new BitField(s.Value)))]).ToCbor();
        _inflight.Add(attempt.Id);
        DelayDeactivation(TimeSpan.FromMinutes(10));
        LogDeclaring(_minerText, _index, MinerMethods.Name(method), Describe(sectors), period.Window.FaultCutoff);
        var (pending, error) = await PushAsync(attempt.Id, method, parameters);
        if (pending is null)
        {
            (attempt.Status, attempt.Error) = (MessageStatus.Failed, error);
            period.Checked = false; // checked and declared again at the next head, before the cutoff
            LogMessageFailed(_minerText, _index, MinerMethods.Name(method), error!);
            _inflight.Remove(attempt.Id);
            return;
        }

        attempt.Message = pending.Message;
        _ = LandDeclarationAsync(period, attempt, pending);
    }

    private async Task LandDeclarationAsync(DeadlinePeriod period, DeclarationAttempt attempt, PendingMinerMessage pending)
    {
        var name = MinerMethods.Name(attempt.Method);
        try
        {
            var receipt = await LandingAsync(pending);
            if (receipt is null || receipt.ExitCode != 0)
            {
                throw receipt is null ? new MinerException($"{name} message {pending.Message} was dropped by the chain node")
                    : new MinerMessageFailedException(_minerText, attempt.Method, receipt.ExitCode, receipt.Message, receipt.Height);
            }

            (attempt.Status, attempt.Message, attempt.Height) = (MessageStatus.Landed, receipt.Message, receipt.Height);
            LogDeclared(_minerText, _index, name, receipt.Message, receipt.Height);
            if (attempt.Method == ActorMethods.Miner.DeclareFaults)
            {
                await ReportAsync([.. attempt.Sectors.Values.SelectMany(s => s)
                    .Select(s => (s, (string?)$"declared faulty: {period.Unreadable.GetValueOrDefault(s, "unreadable")}"))]);
            }
        }
        catch (MinerMessageTimeoutException e)
        {
            (attempt.Status, attempt.Message) = (MessageStatus.Pending, e.Cid);
            LogMessagePending(_minerText, _index, name, e.Cid);
        }
        catch (Exception e)
        {
            (attempt.Status, attempt.Error) = (MessageStatus.Failed, e.Message);
            period.Checked = false; // checked and declared again at the next head, before the cutoff
            LogMessageFailed(_minerText, _index, name, e.Message);
        }
        finally
        {
            _inflight.Remove(attempt.Id);
            await SaveQuietlyAsync();
        }
    }

    // WindowPoSt of every partition with provable sectors not yet proven this period.
    private async Task ProveAsync(ProvingTick tick, DeadlinePeriod period)
    {
        var partitions = await chain.StateMinerPartitions(_miner, _index, null);
        var deadlines = await chain.StateMinerDeadlines(_miner, null);
        var proven = deadlines[(int)_index].PostSubmissions;
        await ReconcileAsync(period, proven, tick.Head);

        var provable = Provable(partitions);
        if (provable.Keys.All(proven.Contains))
        {
            period.Proven = true;
            await SaveAsync();
            if (provable.Count > 0)
            {
                LogProven(_minerText, _index, period.Window.PeriodStart, provable.Count);
            }

            return;
        }

        var todo = provable
            .Where(p => !proven.Contains(p.Key) && !period.Posts.Any(a => a.Status != MessageStatus.Failed && a.Partitions.Contains(p.Key)))
            .ToDictionary(p => p.Key, p => p.Value);
        foreach (var partition in todo.Keys.ToList())
        {
            var failures = period.Posts.Count(a => a.Status == MessageStatus.Failed && a.Partitions.Contains(partition));
            if (failures >= _options.MaxPoStAttempts)
            {
                todo.Remove(partition);
                LogGaveUp(_minerText, _index, partition, failures);
            }
        }

        if (todo.Count == 0)
        {
            return; // in flight, or given up
        }

        var window = period.Window;
        var randomness = await chain.StateGetRandomnessFromBeacon(DomainSeparationTag.WindowedPoStChallengeSeed, window.Challenge, _entropy, null);
        var commitRand = await chain.StateGetRandomnessFromTickets(DomainSeparationTag.PoStChainCommit, window.Challenge, [], null);
        var proofType = _postProofType ??= (await chain.StateMinerInfo(_miner, null)).WindowPoStProofType;
        var sectors = await SectorsAsync(todo.Values.SelectMany(s => s));
        var assignment = await AssignAsync(todo);
        var batches = PartitionAssignment.Batches(assignment, _options.PartitionsPerMessage);
        var proofs = await Task.WhenAll(batches.Select(async b =>
        {
            var request = new WindowProofRequest(_miner.Id, _index, b.Partitions,
                [.. b.Partitions.SelectMany(p => todo[p]).Order().Select(s => sectors[s])], randomness);
            try
            {
                return (Batch: b, Proof: await silos.Worker(b.Silo).ProveWindow(request), Error: (string?)null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return (Batch: b, Proof: (WindowProof?)null, Error: $"proving on silo {b.Silo} failed: {e.Message}");
            }
        }));

        // Proving took time: send only what can still land inside the window.
        var head = (await chain.ChainHead()).Height;
        if (!window.ProvingOpen(head))
        {
            period.LastError = $"the window closes at {window.Close}: proving finished at epoch {head}, too late to send";
            LogTooLate(_minerText, _index, window.Close, head);
            await SaveAsync();
            return;
        }

        foreach (var (batch, proof, error) in proofs)
        {
            if (proof is null)
            {
                period.Posts.Add(new PoStAttempt { Partitions = [.. batch.Partitions], Silo = batch.Silo, Status = MessageStatus.Failed, Epoch = head, Error = error });
                LogMessageFailed(_minerText, _index, "SubmitWindowedPoSt", error!);
                await SaveAsync();
                continue;
            }

            var skipped = proof.Skipped.ToDictionary(s => s.Sector, s => s.Reason ?? "unreadable");
            var recovering = batch.Partitions.SelectMany(p => partitions[(int)p].RecoveringSectors.Members)
                .Where(s => !skipped.ContainsKey(s)).Order().ToList();
            var attempt = new PoStAttempt
            {
                Recovering = recovering,
                Partitions = [.. batch.Partitions],
                Silo = proof.Silo,
                ProvenSectors = proof.Proven.Length,
                Skipped = skipped,
                Status = MessageStatus.Sending,
                Epoch = head,
            };
            var parameters = new SubmitWindowedPoStParams(_index,
                [.. batch.Partitions.Select(p => new PoStPartition(p, new BitField(todo[p].Where(skipped.ContainsKey))))],
                [new PoStProof(proofType, proof.Proof)], window.Challenge, commitRand).ToCbor();

            // Write-ahead: the record is in the database before the message can exist.
            period.Posts.Add(attempt);
            await SaveAsync();
            _inflight.Add(attempt.Id);
            DelayDeactivation(TimeSpan.FromMinutes(10));
            LogSubmitting(_minerText, _index, string.Join(",", batch.Partitions), proof.Proven.Length, skipped.Count, proof.Silo, proof.Seconds);
            Metrics.GranaryMetrics.WindowPoStSending(_index, proof.Proven.Length, skipped.Count, head - window.Open);
            var (pending, pushError) = await PushAsync(attempt.Id, ActorMethods.Miner.SubmitWindowedPoSt, parameters);
            if (pending is null)
            {
                // Not known whether it reached the node: it stays Sending and is reconciled with the chain at the next heads.
                attempt.Error = pushError;
                LogMessageUnknown(_minerText, _index, pushError!);
                _inflight.Remove(attempt.Id);
                await SaveQuietlyAsync();
                continue;
            }

            attempt.Message = pending.Message;
            _ = LandPoStAsync(attempt, pending);
        }
    }

    private async Task LandPoStAsync(PoStAttempt attempt, PendingMinerMessage pending)
    {
        try
        {
            var receipt = await LandingAsync(pending);
            if (receipt is null)
            {
                // Dropped by the node: it can never land, and its partitions are proven again while the window is open.
                (attempt.Status, attempt.Error) = (MessageStatus.Failed, $"message {pending.Message} was dropped by the chain node");
                LogMessageFailed(_minerText, _index, "SubmitWindowedPoSt", attempt.Error);
                return;
            }

            if (receipt.ExitCode != 0)
            {
                throw new MinerMessageFailedException(_minerText, pending.Method, receipt.ExitCode, receipt.Message, receipt.Height);
            }

            (attempt.Status, attempt.Message, attempt.Height, attempt.Error) = (MessageStatus.Landed, receipt.Message, receipt.Height, null);
            LogSubmitted(_minerText, _index, string.Join(",", attempt.Partitions), receipt.Message, receipt.Height);
            await ReportAsync([.. attempt.Skipped.Select(s => (s.Key, (string?)$"skipped by the WindowPoSt of deadline {_index}: {s.Value}")),
                .. attempt.Recovering.Select(s => (s, (string?)null))]);
        }
        catch (MinerMessageFailedException e)
        {
            // Its partitions may be proven all the same (a copy that landed first): the next head reconciles.
            (attempt.Status, attempt.Message, attempt.Error) = (MessageStatus.Failed, e.Cid, e.Message);
            LogMessageFailed(_minerText, _index, "SubmitWindowedPoSt", e.Message);
        }
        catch (MinerMessageTimeoutException e)
        {
            (attempt.Status, attempt.Message) = (MessageStatus.Pending, e.Cid);
            LogMessagePending(_minerText, _index, "SubmitWindowedPoSt", e.Cid);
        }
        catch (Exception e)
        {
            // Its landing could not be followed: it stays Sending and is reconciled with the chain at the next heads.
            attempt.Error = e.Message;
            LogMessageUnknown(_minerText, _index, e.Message);
        }
        finally
        {
            _inflight.Remove(attempt.Id);
            await SaveQuietlyAsync();
        }
    }

    // Records sent by an activation that is gone, or whose outcome was not known, against the chain and the miner grain.
    private async Task ReconcileAsync(DeadlinePeriod period, BitField proven, long head)
    {
        // A WindowPoSt that landed is in PostSubmissions until the window closes; one that is not any more was
        // reverted (a reorg) and its partitions need proving again.
        var reverted = period.Posts.Where(a => a.Status == MessageStatus.Landed && a.Height >= 0 && head > a.Height
            && !a.Partitions.All(proven.Contains)).ToList();
        foreach (var attempt in reverted)
        {
            (attempt.Status, attempt.Error) = (MessageStatus.Failed, $"landed at {attempt.Height} but not proven on chain at {head}: reverted");
            LogPresumedLost(_minerText, _index, string.Join(",", attempt.Partitions), attempt.Epoch, head);
        }

        var open = period.Posts.Where(a => a.Status is MessageStatus.Sending or MessageStatus.Pending && !_inflight.Contains(a.Id)).ToList();
        if (open.Count == 0)
        {
            if (reverted.Count > 0)
            {
                await SaveAsync();
            }

            return;
        }

        List<PendingMinerMessage>? pending = null;
        foreach (var attempt in open)
        {
            if (attempt.Partitions.All(proven.Contains))
            {
                (attempt.Status, attempt.Error) = (MessageStatus.Landed, null);
                LogSeenOnChain(_minerText, _index, string.Join(",", attempt.Partitions), attempt.Message ?? "(message not recorded)");
                continue;
            }

            pending ??= [.. (await Miner().GetInfo(refresh: false)).Pending.Where(p => p.Method == ActorMethods.Miner.SubmitWindowedPoSt)];
            var waiting = attempt.Message is { } cid ? pending.Any(p => p.Message == cid) : pending.Count > 0;
            if (waiting)
            {
                continue;
            }

            if (attempt.Message is not null || head >= attempt.Epoch + ReconcileEpochs)
            {
                (attempt.Status, attempt.Error) = (MessageStatus.Failed, attempt.Error ?? "not on chain and not pending at the miner grain");
                LogPresumedLost(_minerText, _index, string.Join(",", attempt.Partitions), attempt.Epoch, head);
            }
        }

        await SaveAsync();
    }

    private async Task<(Dictionary<ulong, SectorCheck> Checked, Dictionary<ulong, (string Silo, string Error)> Unchecked)> CheckPartitionsAsync(
        Dictionary<ulong, ulong[]> live)
    {
        var checks = new Dictionary<ulong, SectorCheck>();
        var failed = new Dictionary<ulong, (string, string)>();
        if (live.Count == 0)
        {
            return (checks, failed);
        }

        var sectors = await SectorsAsync(live.Values.SelectMany(s => s));
        var assignment = await AssignAsync(live);
        var results = await Task.WhenAll(assignment.GroupBy(a => a.Value, a => a.Key).Select(async g =>
        {
            var list = g.SelectMany(p => live[p]).Order().Select(s => sectors[s]).ToArray();
            try
            {
                return (Silo: g.Key, List: list, Checks: await silos.Worker(g.Key).Check(_miner.Id, list), Error: (string?)null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return (Silo: g.Key, List: list, Checks: Array.Empty<SectorCheck>(), Error: (string?)e.Message);
            }
        }));

        foreach (var (where, list, found, error) in results)
        {
            foreach (var check in found)
            {
                checks[check.Sector] = check;
            }

            if (error is not null)
            {
                foreach (var sector in list)
                {
                    failed[sector.Number] = (where, error);
                }
            }
        }

        return (checks, failed);
    }

    private async Task<Dictionary<ulong, string>> AssignAsync(Dictionary<ulong, ulong[]> partitions)
    {
        var holders = await silos.HoldersAsync(_miner.Id, partitions.Values.SelectMany(s => s));
        return PartitionAssignment.Assign(partitions, holders, silos.Names(), silo.Name);
    }

    // The chain's view of the sectors (CommR, seal proof): it never changes for a sector, so it is kept.
    private async Task<Dictionary<ulong, ProvingSector>> SectorsAsync(IEnumerable<ulong> numbers)
    {
        var result = new Dictionary<ulong, ProvingSector>();
        foreach (var number in numbers.Distinct())
        {
            if (!_sectors.TryGetValue(number, out var sector))
            {
                var info = await chain.StateSectorGetInfo(_miner, number, null)
                    ?? throw new ProvingException($"sector {number} of {_minerText} is in deadline {_index} but the chain has no info for it");
                sector = new ProvingSector(number, SectorCommitments.CommR(info.SealedCid), info.SealProof);
                _sectors[number] = sector;
            }

            result[number] = sector;
        }

        return result;
    }

    // Tells the sealing pipeline's sector grains (on sealing silos) what proving found: faults (with why) and
    // recoveries (null). Best effort: a sector sealed outside the pipeline has no grain, and a cluster without a
    // sealing silo has none at all; proving does not depend on it.
    private async Task ReportAsync(IReadOnlyList<(ulong Sector, string? Fault)> reports)
    {
        foreach (var (number, fault) in reports)
        {
            try
            {
                var grain = GrainFactory.GetGrain<ISectorGrain>(new SectorId(_miner.Id, number).Name);
                if (await grain.Status() is not { State: SectorState.Proving or SectorState.FaultReported } sector)
                {
                    continue;
                }

                if (fault is not null)
                {
                    await grain.ReportFault(fault);
                }
                else if (sector.State == SectorState.FaultReported)
                {
                    await grain.ReportRecovered();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogReportFailed(_minerText, number, e.Message);
            }
        }
    }

    private void EnsureKey()
    {
        if (_keyError is not null)
        {
            throw new ProvingException(_keyError);
        }
    }

    // Hands a message to the miner grain under the attempt's id and returns once the chain node has it, so when Advance
    // returns the head's messages are out. The id is the push's key: a key already used returns the message pushed under
    // it, so one attempt is never pushed twice. On failure, the reason (whether it reached the node is then not known).
    private async Task<(PendingMinerMessage? Pending, string? Error)> PushAsync(Guid attempt, ulong method, byte[] parameters)
    {
        try
        {
            return (await Miner().Push(attempt.ToString("N"), _minerText, method, parameters, BigInteger.Zero), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (null, e.Message);
        }
    }

    // A pushed message's receipt once it landed (with the miner grain's confidence); null if the node dropped it.
    private async Task<MinerReceipt?> LandingAsync(PendingMinerMessage pending)
    {
        var until = DateTime.UtcNow + LandingWait;
        while (true)
        {
            var left = until - DateTime.UtcNow;
            var status = await Miner().CheckMessage(pending.Message, left < MinerGrain.MaxCheckWait ? left : MinerGrain.MaxCheckWait);
            switch (status.Fate)
            {
                case MinerMessageFate.Landed:
                    return status.Receipt;
                case MinerMessageFate.Dropped:
                    return null;
            }

            if (DateTime.UtcNow >= until)
            {
                throw new MinerMessageTimeoutException(_minerText, pending.Method, pending.Message, LandingWait);
            }
        }
    }

    private IMinerGrain Miner() => GrainFactory.GetGrain<IMinerGrain>(_minerText);

    private async Task SaveAsync()
    {
        await _write.WaitAsync();
        try
        {
            await state.WriteStateAsync();
        }
        finally
        {
            _write.Release();
        }
    }

    private async Task SaveQuietlyAsync()
    {
        try
        {
            await SaveAsync();
        }
        catch (Exception e)
        {
            LogSaveFailed(_minerText, _index, e.Message);
        }
    }

    // Live sectors by partition (partitions without any left out).
    private static Dictionary<ulong, ulong[]> Live(IReadOnlyList<Partition> partitions) =>
        partitions.Select((p, i) => (Index: (ulong)i, Sectors: p.LiveSectors.Members.Order().ToArray()))
            .Where(p => p.Sectors.Length > 0)
            .ToDictionary(p => p.Index, p => p.Sectors);

    // What a WindowPoSt of each partition must cover: live sectors not faulty, or faulty and recovering.
    private static Dictionary<ulong, ulong[]> Provable(IReadOnlyList<Partition> partitions) =>
        partitions.Select((p, i) => (Index: (ulong)i, Sectors: p.LiveSectors.Members
                .Where(s => !p.FaultySectors.Contains(s) || p.RecoveringSectors.Contains(s)).Order().ToArray()))
            .Where(p => p.Sectors.Length > 0)
            .ToDictionary(p => p.Index, p => p.Sectors);

    private static HashSet<ulong> Busy(DeadlinePeriod period, ulong method) =>
        [.. period.Declarations.Where(d => d.Method == method && d.Status is MessageStatus.Sending or MessageStatus.Pending)
            .SelectMany(d => d.Sectors.Values.SelectMany(s => s))];

    private static void Add(Dictionary<ulong, List<ulong>> map, ulong partition, ulong sector)
    {
        if (!map.TryGetValue(partition, out var list))
        {
            map[partition] = list = [];
        }

        list.Add(sector);
    }

    private static string Describe(Dictionary<ulong, List<ulong>> sectors) =>
        string.Join("; ", sectors.OrderBy(s => s.Key).Select(s => $"partition {s.Key}: {string.Join(",", s.Value)}"));
}
