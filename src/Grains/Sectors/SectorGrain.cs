using System.Diagnostics;
using Granary.Chain;
using Granary.Chain.Devnet.Mining;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Pieces;
using Granary.Grains.Deals;
using Granary.Grains.Placement;
using Granary.Grains.Sealing.Workers;
using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Proofs.Seal;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Granary.Grains.Sectors;

/// <inheritdoc cref="ISectorGrain" />
/// <remarks>
/// <para><b>Driving.</b> One loop per activation walks the states: it persists the state (the transition), then runs that
/// state's step, then persists the next. The loop is a task on the grain's scheduler started outside any request, so calls
/// (status, batch outcomes, remove) interleave with it at its awaits. Heavy steps run on this silo's
/// <see cref="SealingWorkerPool"/>. A transition made by a call while a step runs bumps <see cref="SectorGrainState.Version"/>,
/// and the loop then drops the step's result.</para>
/// <para><b>Idempotent steps.</b> Stage outputs are written atomically and a re-run after a crash reuses finished PreCommit1
/// layers; a sector already pre-committed or proven on chain is never sent again (checked on chain before handing it to a
/// batcher, and by the batcher before sending).</para>
/// <para><b>Resuming.</b> A watchdog reminder (<see cref="SectorPipelineOptions.WatchdogPeriod"/>) reactivates the grain on a
/// live sealing silo after its silo died; the loop starts again from the persisted state. Before a step that needs scratch
/// files it asks <see cref="ScratchSiloWatch"/>: on another live silo, the grain migrates there; gone, it waits; lost, the
/// sector restarts from its pieces here (its ticket kept, so a sector already pre-committed seals to the same CommR).</para>
/// </remarks>
[RequiresSubsystem(Subsystem.Sealing)]
public sealed partial class SectorGrain(
    [PersistentState("sector", GrainStorage.Name)] IPersistentState<SectorGrainState> state,
    IChainNode chain,
    SealingWorkerPool pool,
    ScratchSiloWatch scratch,
    LocalStorage storage,
    PieceSourceReader pieceSources,
    SectorPipelineOptions options,
    ILocalSiloDetails silo,
    ILogger<SectorGrain> logger) : Grain, ISectorGrain, IRemindable
{
    private const string Watchdog = "sector-watchdog";
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly LiveProgress _progress = new();
    private readonly List<long> _transitionMicros = [];
    private CancellationTokenSource _stepCancel = new();
    private IGrainTimer? _wake;
    private bool _driving;
    private bool? _watchdog;
    private SectorId _id;

    private SectorGrainState S => state.State;

    private SealProofType Proof => SealProofType.FromId(S.SealProof);

    private Address MinerAddress => Address.FromId(_id.Miner);

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!SectorId.TryParse(this.GetPrimaryKeyString(), out _id))
        {
            throw new ArgumentException($"'{this.GetPrimaryKeyString()}' is not a sector name (s-t0MINER-NUMBER)");
        }

        if (S.State != SectorState.Undefined)
        {
            // Resume from the persisted state once the activation is done.
            Wake(TimeSpan.Zero);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _stepCancel.Cancel();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task Start(int sealProof)
    {
        var proof = SealProofType.FromId(sealProof);
        if (S.State != SectorState.Undefined)
        {
            return;
        }

        S.SealProof = proof.Id;
        S.Created = DateTimeOffset.UtcNow;
        S.Pieces = [new SectorPiece(PieceCid.V1(ZeroPieces.Commitment(proof.SectorSize)).ToString(), proof.SectorSize, 0)];
        await TransitionAsync(SectorState.Packing, "committed-capacity sector pledged", null);
        LogStarted(_id.Name, proof.Name, silo.Name);
        await EnsureWatchdogAsync(true);
        Kick();
    }

    /// <inheritdoc />
    public async Task StartDeals(int sealProof)
    {
        var proof = SealProofType.FromId(sealProof);
        if (S.State != SectorState.Undefined)
        {
            return;
        }

        S.SealProof = proof.Id;
        S.Created = DateTimeOffset.UtcNow;
        S.DealSector = true;
        S.Pieces = new List<SectorPiece>();
        S.Deals = new List<SectorDealPiece>();
        await TransitionAsync(SectorState.WaitDeals, "deal sector opened", null);
        LogStarted(_id.Name, proof.Name, silo.Name);
        await EnsureWatchdogAsync(true);
    }

    /// <inheritdoc />
    public async Task AddDealPiece(SectorDealPiece piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        if (!S.DealSector)
        {
            throw new InvalidOperationException(S.State == SectorState.Undefined
                ? $"sector {_id.Number} of miner t0{_id.Miner} was not opened for deals"
                : $"sector {_id.Number} is a committed-capacity sector; it takes no deal pieces");
        }

        if (S.Deals.Any(d => d.DealId == piece.DealId))
        {
            return; // recorded before: the planner asks again after a crash
        }

        if (S.SealRequested || S.State is not (SectorState.WaitDeals or SectorState.AddPiece or SectorState.AddPieceFailed))
        {
            throw new InvalidOperationException($"sector {_id.Number} is in {S.State} and sealing; it takes no more pieces");
        }

        long expected;
        try
        {
            expected = PieceWriter.NextOffset(Proof, S.Deals.Select(d => new PieceInfo(d.Size, new byte[32])), piece.Size);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"sector {_id.Number}: {e.Message}");
        }

        if (expected != piece.Offset)
        {
            throw new InvalidOperationException($"sector {_id.Number}: the next {piece.Size}-byte piece goes at offset {expected}, not {piece.Offset}");
        }

        S.Deals.Add(piece);
        if (S.State == SectorState.WaitDeals)
        {
            await TransitionAsync(SectorState.AddPiece, $"deal {piece.DealId}: piece {piece.PieceCid} of {piece.Size} bytes at offset {piece.Offset}", null);
        }
        else
        {
            await WriteAsync(); // the running AddPiece step writes it next
        }

        Kick();
    }

    /// <inheritdoc />
    public async Task StartSealing(string reason)
    {
        if (!S.DealSector)
        {
            throw new InvalidOperationException($"sector {_id.Number} of miner t0{_id.Miner} is not a deal sector");
        }

        if (S.SealRequested)
        {
            return;
        }

        if (S.Deals.Count == 0)
        {
            throw new InvalidOperationException($"sector {_id.Number} holds no piece yet");
        }

        S.SealRequested = true;
        S.SealReason = reason ?? "";
        if (S.State == SectorState.WaitDeals)
        {
            await TransitionAsync(SectorState.Packing, $"sealing: {S.SealReason}", null);
        }
        else
        {
            await WriteAsync();
        }

        Kick();
    }

    /// <inheritdoc />
    public Task<SectorSnapshot?> Status()
    {
        if (S.State == SectorState.Undefined)
        {
            return Task.FromResult<SectorSnapshot?>(null);
        }

        var (stage, fraction) = _progress.Read();
        return Task.FromResult<SectorSnapshot?>(new SectorSnapshot(_id.Miner, _id.Number, S.State, S.SealProof, S.Created, [.. S.History],
            [.. S.Pieces], S.Ticket, S.TicketEpoch, S.Seed, S.SeedEpoch, S.CommD, S.CommR, S.PreCommitMessage, S.PreCommitEpoch,
            S.CommitMessage, S.Activation, S.Expiration, S.Failures, S.LastError, S.RetryAt, S.ScratchHolder?.Silo, S.Restarts,
            S.FaultReason, stage, fraction, silo.Name, [.. _transitionMicros]));
    }

    /// <inheritdoc />
    public async Task<SectorChainStatus> OnChain()
    {
        var info = await chain.StateSectorGetInfo(MinerAddress, _id.Number, null);
        if (info is not null)
        {
            var faulty = (await chain.StateMinerFaults(MinerAddress, null)).Contains(_id.Number);
            return new SectorChainStatus(true, !faulty, info.Expiration);
        }

        var pre = await chain.StateSectorPreCommitInfo(MinerAddress, _id.Number, null);
        return new SectorChainStatus(pre is not null, false, pre?.Info.Expiration ?? 0);
    }

    /// <inheritdoc />
    public async Task Remove()
    {
        if (S.State == SectorState.Undefined)
        {
            throw new InvalidOperationException($"sector {_id.Number} of miner t0{_id.Miner} does not exist");
        }

        if (S.State is SectorState.Removing or SectorState.Removed)
        {
            return;
        }

        S.Before = S.State;
        await _stepCancel.CancelAsync();
        _stepCancel = new CancellationTokenSource();
        await TransitionAsync(SectorState.Removing, $"removal requested in {S.Before}", null);
        await EnsureWatchdogAsync(true);
        Kick();
    }

    /// <inheritdoc />
    public async Task ReportFault(string reason)
    {
        if (S.State is not (SectorState.Proving or SectorState.FaultReported))
        {
            throw new InvalidOperationException($"sector {_id.Number} is in {S.State}; only a proving sector can be faulty");
        }

        S.FaultReason = reason ?? "";
        if (S.State == SectorState.Proving)
        {
            S.Before = S.State;
            await TransitionAsync(SectorState.FaultReported, reason ?? "", null);
        }
        else
        {
            await WriteAsync();
        }
    }

    /// <inheritdoc />
    public async Task ReportRecovered()
    {
        if (S.State == SectorState.FaultReported)
        {
            await TransitionAsync(SectorState.Proving, "recovered: proven again", null);
        }
    }

    /// <inheritdoc />
    public async Task PreCommitLanded(BatchOutcome outcome)
    {
        if (S.State is not (SectorState.SubmitPreCommitBatch or SectorState.PreCommitBatchWait))
        {
            // A late or repeated report: the state moved on (its own look at the chain was first); keep the message.
            if (outcome.Landed && outcome.Message is not null && S.PreCommitMessage is null)
            {
                S.PreCommitMessage = outcome.Message;
                await WriteAsync();
            }

            return;
        }

        if (outcome.Landed)
        {
            S.PreCommitMessage = outcome.Message ?? S.PreCommitMessage;
            S.PreCommitEpoch = outcome.Height;
            await TransitionAsync(SectorState.WaitSeed, outcome.Message is null
                ? "already pre-committed on chain" : $"pre-committed in message {outcome.Message} at epoch {outcome.Height}", null);
        }
        else
        {
            await FailAsync(SectorState.PreCommitBatchWait, outcome.Error, null);
        }

        Kick();
    }

    /// <inheritdoc />
    public async Task CommitLanded(BatchOutcome outcome)
    {
        if (S.State is not (SectorState.SubmitCommit or SectorState.CommitWait))
        {
            if (outcome.Landed && outcome.Message is not null && S.CommitMessage is null)
            {
                S.CommitMessage = outcome.Message;
                await WriteAsync();
            }

            return;
        }

        if (outcome.Landed)
        {
            S.CommitMessage = outcome.Message ?? S.CommitMessage;
            await TransitionAsync(SectorState.FinalizeSector, outcome.Message is null
                ? "already proven on chain" : $"proven in message {outcome.Message} at epoch {outcome.Height}", null);
        }
        else
        {
            await FailAsync(SectorState.CommitWait, outcome.Error, null);
        }

        Kick();
    }

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == Watchdog)
        {
            if (S.State.IsTerminal() || S.State == SectorState.Undefined)
            {
                return EnsureWatchdogAsync(false);
            }

            Kick();
        }

        return Task.CompletedTask;
    }

    private void Kick()
    {
        if (_driving)
        {
            return;
        }

        _driving = true;
        _ = DriveAsync(); // runs on this grain's scheduler, outside any request
    }

    private void Wake(TimeSpan after)
    {
        _wake?.Dispose();
        _wake = this.RegisterGrainTimer(() =>
        {
            Kick();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(after < TimeSpan.Zero ? TimeSpan.Zero : after, Timeout.InfiniteTimeSpan) { Interleave = true });
    }

    private async Task DriveAsync()
    {
        try
        {
            while (true)
            {
                var version = S.Version;
                var from = S.State;
                Step step;
                try
                {
                    step = await StepAsync(from, _stepCancel.Token);
                }
                catch (Exception e)
                {
                    if (S.Version != version)
                    {
                        continue; // cancelled or overtaken by a call that moved the sector
                    }

                    step = Step.Failed(Describe(e));
                }

                if (S.Version != version)
                {
                    continue; // a call moved the sector meanwhile: this step's result is stale
                }

                var started = Stopwatch.GetTimestamp();
                switch (step.Kind)
                {
                    case StepKind.Idle:
                        if (S.State.IsTerminal() || S.State == SectorState.Undefined)
                        {
                            await EnsureWatchdogAsync(false);
                        }

                        return;
                    case StepKind.Wait:
                        Wake(step.After);
                        return;
                    case StepKind.Next:
                        step.Apply?.Invoke(S);
                        S.ConsecutiveFailures = 0;
                        await TransitionAsync(step.State, step.Note, started);
                        continue;
                    default:
                        await FailAsync(from, step.Note, started);
                        Wake(S.RetryAt!.Value - DateTimeOffset.UtcNow);
                        return;
                }
            }
        }
        catch (Exception e)
        {
            // Persisting failed: try again later from the persisted state.
            LogDriveFailed(e, _id.Name, S.State);
            Wake(options.RetryBackoff);
        }
        finally
        {
            _driving = false;
        }
    }

    private async Task<Step> StepAsync(SectorState current, CancellationToken cancellationToken)
    {
        switch (current)
        {
            case SectorState.WaitDeals:
                return S.DealsWritten < S.Deals.Count ? Step.To(SectorState.AddPiece, $"{S.Deals.Count - S.DealsWritten} piece(s) to write")
                    : S.SealRequested ? Step.To(SectorState.Packing, $"sealing: {S.SealReason}")
                    : Step.Idle;
            case SectorState.AddPiece:
                return await AddPieceAsync(cancellationToken);
            case SectorState.Packing:
                return await PackAsync(cancellationToken);
            case SectorState.GetTicket:
                return await GetTicketAsync(cancellationToken);
            case SectorState.PreCommit1:
                return await CheckScratchAsync(SectorFileType.Unsealed) ?? await PreCommit1Async(cancellationToken);
            case SectorState.PreCommit2:
                return await CheckScratchAsync(SectorFileType.Cache) ?? await PreCommit2Async(cancellationToken);
            case SectorState.SubmitPreCommitBatch:
                return await SubmitPreCommitAsync(cancellationToken);
            case SectorState.PreCommitBatchWait:
                return await WaitPreCommitAsync(cancellationToken);
            case SectorState.WaitSeed:
                return await WaitSeedAsync(cancellationToken);
            case SectorState.Committing:
                return await CheckScratchAsync(SectorFileType.Sealed) ?? await CommitAsync(cancellationToken);
            case SectorState.SubmitCommit:
                return await SubmitCommitAsync(cancellationToken);
            case SectorState.CommitWait:
                return await WaitCommitAsync(cancellationToken);
            case SectorState.FinalizeSector:
                return await CheckScratchAsync(SectorFileType.Sealed) ?? await FinalizeAsync(cancellationToken);
            case SectorState.Removing:
                await storage.RemoveAsync(_id, SectorFileTypes.All, everywhere: true, CancellationToken.None);
                return Step.To(SectorState.Removed, "files removed from every silo");
            case var failed when failed.IsFailure():
                return S.RetryAt is { } at && at > DateTimeOffset.UtcNow
                    ? Step.Until(at - DateTimeOffset.UtcNow)
                    : Step.To(S.RetryState, $"retry {S.ConsecutiveFailures} after: {S.LastError}");
            default:
                return Step.Idle; // Proving, FaultReported, Removed, WaitDeals/AddPiece (deals are not packed yet)
        }
    }

    private async Task<Step> PackAsync(CancellationToken cancellationToken)
    {
        if (S.DealSector)
        {
            return await PackDealsAsync(cancellationToken);
        }

        var proof = Proof;
        await RunAsync(SealingTaskType.AddPiece, async (ct, _) =>
        {
            using var files = await storage.AcquireSectorAsync(_id, SectorFileType.None, SectorFileType.Unsealed, PathType.Sealing,
                SectorSpace.Sealing(proof), ct);
            WriteZeros(files.Paths.Unsealed, proof.SectorSize);
            await files.DeclareAsync(ct);
            return true;
        }, cancellationToken);
        var here = scratch.Here;
        return Step.To(SectorState.GetTicket, $"{proof.Name} of zeros written on {here.Silo}", s =>
        {
            s.ScratchHolder = here;
            s.ScratchGoneSince = null;
        });
    }

    /// <summary>Writes the next recorded deal piece (its bytes Fr32-padded at its offset) and records it as written.</summary>
    private async Task<Step> AddPieceAsync(CancellationToken cancellationToken)
    {
        if (S.DealsWritten >= S.Deals.Count)
        {
            return S.SealRequested ? Step.To(SectorState.Packing, $"every piece written; sealing: {S.SealReason}")
                : Step.To(SectorState.WaitDeals, "every piece written");
        }

        if (S.ScratchHolder is not null)
        {
            if (await CheckScratchAsync(SectorFileType.Unsealed) is { } elsewhere)
            {
                return elsewhere;
            }
        }
        else if (S.DealsWritten > 0)
        {
            return Restart("no silo holds its unsealed file");
        }

        var proof = Proof;
        var index = S.DealsWritten;
        var piece = S.Deals[index];
        var added = await RunAsync(SealingTaskType.AddPiece, async (ct, _) =>
        {
            var present = storage.LocalFile(_id, SectorFileType.Unsealed) is not null;
            using var files = await storage.AcquireSectorAsync(_id, present ? SectorFileType.Unsealed : SectorFileType.None,
                present ? SectorFileType.None : SectorFileType.Unsealed, PathType.Sealing, SectorSpace.Sealing(proof), ct);
            await using var payload = await pieceSources.OpenAsync(piece.Source, ct);
            var written = await PieceWriter.WritePieceAsync(proof, files.Paths.Unsealed, piece.Offset, payload, piece.Size, ct);
            await files.DeclareAsync(ct);
            return written;
        }, cancellationToken);
        var cid = PieceCid.V1(added.Piece.Commitment).ToString();
        if (cid != piece.PieceCid)
        {
            return Step.Failed($"deal {piece.DealId}: the bytes of {piece.Source.Path} on {piece.Source.Silo} make piece {cid}, not the deal's {piece.PieceCid}");
        }

        var here = scratch.Here;
        var next = index + 1 < S.Deals.Count ? SectorState.AddPiece : S.SealRequested ? SectorState.Packing : SectorState.WaitDeals;
        var sealing = next == SectorState.Packing ? $"; sealing: {S.SealReason}" : "";
        return Step.To(next, $"deal {piece.DealId}: {added.PayloadSize} bytes written as piece {cid} at offset {piece.Offset} on {here.Silo}{sealing}", s =>
        {
            s.DealsWritten = index + 1;
            s.ScratchHolder = here;
            s.ScratchGoneSince = null;
            s.Pieces = Layout(s, tail: false);
        });
    }

    /// <summary>Packing a deal sector: its pieces are written; the rest of the unsealed file is zeros (zero pieces).</summary>
    private async Task<Step> PackDealsAsync(CancellationToken cancellationToken)
    {
        if (S.DealsWritten < S.Deals.Count)
        {
            return Step.To(SectorState.AddPiece, $"{S.Deals.Count - S.DealsWritten} piece(s) still to write");
        }

        if (await CheckScratchAsync(SectorFileType.Unsealed) is { } elsewhere)
        {
            return elsewhere;
        }

        var proof = Proof;
        var path = storage.LocalFile(_id, SectorFileType.Unsealed)!;
        await RunAsync(SealingTaskType.AddPiece, (_, _) =>
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            if (RandomAccess.GetLength(file) != proof.SectorSize)
            {
                RandomAccess.SetLength(file, proof.SectorSize); // sparse zeros after the last piece
                RandomAccess.FlushToDisk(file);
            }

            return Task.FromResult(true);
        }, cancellationToken);
        var pieces = Layout(S, tail: true);
        var fillers = pieces.Count(p => !p.Deal);
        return Step.To(SectorState.GetTicket, $"{S.Deals.Count} deal piece(s) and {fillers} zero piece(s) fill the sector", s => s.Pieces = pieces);
    }

    /// <summary>A deal sector's pieces in order with the zero pieces lotus puts between them (and, with <paramref name="tail"/>, after them).</summary>
    private static List<SectorPiece> Layout(SectorGrainState s, bool tail)
    {
        var size = SealProofType.FromId(s.SealProof).SectorSize;
        var pieces = new List<SectorPiece>();
        long offset = 0;
        foreach (var deal in s.Deals.Take(s.DealsWritten))
        {
            foreach (var pad in SectorCommD.AlignmentPadding(offset, deal.Size))
            {
                pieces.Add(Filler(pad));
                offset += pad;
            }

            pieces.Add(new SectorPiece(deal.PieceCid, deal.Size, deal.DealId, Deal: true));
            offset += deal.Size;
        }

        while (tail && offset < size)
        {
            var pad = offset == 0 ? size : offset & -offset;
            pieces.Add(Filler(pad));
            offset += pad;
        }

        return pieces;
    }

    private static SectorPiece Filler(long size) => new(PieceCid.V1(ZeroPieces.Commitment(size)).ToString(), size, 0);

    private async Task<Step> GetTicketAsync(CancellationToken cancellationToken)
    {
        if (S.Ticket is not null)
        {
            return Step.To(SectorState.PreCommit1, $"ticket of epoch {S.TicketEpoch} kept");
        }

        var head = await chain.ChainHead(cancellationToken);
        var epoch = head.Height - options.TicketLookback;
        if (epoch < 0)
        {
            return Step.Until(options.ChainPollInterval); // the devnet has not mined enough blocks yet
        }

        var ticket = await chain.StateGetRandomnessFromTickets(DomainSeparationTag.SealRandomness, epoch, Entropy(), null, cancellationToken);
        return Step.To(SectorState.PreCommit1, $"ticket of epoch {epoch}", s =>
        {
            s.Ticket = ticket;
            s.TicketEpoch = epoch;
        });
    }

    private async Task<Step> PreCommit1Async(CancellationToken cancellationToken)
    {
        var proof = Proof;
        var ticket = S.Ticket!;
        var pc1 = await RunAsync(SealingTaskType.PreCommit1, async (ct, progress) =>
        {
            using var files = await storage.AcquireSectorAsync(_id, SectorFileType.Unsealed, SectorFileType.Cache, PathType.Sealing,
                SectorSpace.Sealing(proof), ct);
            var output = new Sealer(proof).PreCommit1(files.Paths, MinerProofs.ProverId(_id.Miner), _id.Number, ticket, progress, ct);
            await files.DeclareAsync(ct);
            return output;
        }, cancellationToken);
        if (S.DealSector)
        {
            var expected = SectorCommD.Compute(proof.SectorSize, S.Deals.Select(d => new PieceInfo(d.Size, PieceCid.CommitmentOf(Cid.Parse(d.PieceCid)))));
            if (!expected.AsSpan().SequenceEqual(pc1.CommD))
            {
                return Restart($"the unsealed file's CommD {Hex(pc1.CommD)} is not its deals' CommD {Hex(expected)}");
            }
        }

        var here = scratch.Here;
        return Step.To(SectorState.PreCommit2, $"CommD {Hex(pc1.CommD)}", s =>
        {
            s.CommD = pc1.CommD;
            s.ReplicaId = pc1.ReplicaId;
            s.ScratchHolder = here;
        });
    }

    private async Task<Step> PreCommit2Async(CancellationToken cancellationToken)
    {
        var proof = Proof;
        var pc1 = new PreCommit1Output(proof.Id, S.ReplicaId!, S.CommD!);
        var pc2 = await RunAsync(SealingTaskType.PreCommit2, async (ct, progress) =>
        {
            using var files = await storage.AcquireSectorAsync(_id, SectorFileType.Unsealed | SectorFileType.Cache, SectorFileType.Sealed,
                PathType.Sealing, SectorSpace.Sealing(proof), ct);
            var output = new Sealer(proof).PreCommit2(files.Paths, pc1, progress, ct);
            await files.DeclareAsync(ct);
            return output;
        }, cancellationToken);
        return Step.To(SectorState.SubmitPreCommitBatch, $"CommR {Hex(pc2.CommR)}", s =>
        {
            s.CommR = pc2.CommR;
            s.CommC = pc2.CommC;
            s.CommRLast = pc2.CommRLast;
        });
    }

    private async Task<Step> SubmitPreCommitAsync(CancellationToken cancellationToken)
    {
        if (await OnChainStepAsync(cancellationToken) is { } done)
        {
            return done;
        }

        var expiration = S.Expiration;
        if (expiration == 0)
        {
            var head = await chain.ChainHead(cancellationToken);
            expiration = head.Height + options.Policy.MaxProveCommitDuration + options.Policy.MinSectorExpiration + options.ExpirationMargin;
            expiration = Math.Max(expiration, S.Deals.Select(d => d.EndEpoch).DefaultIfEmpty(0).Max()); // the sector outlives its deals
        }

        var cc = !S.DealSector;
        var entry = new PreCommitEntry(_id.Number, S.SealProof, SectorCommitments.SealedCid(S.CommR!).ToString(), S.TicketEpoch,
            [.. S.Deals.Select(d => d.DealId)], expiration,
            cc ? null : SectorCommitments.UnsealedCid(S.CommD!).ToString(), DateTimeOffset.UtcNow);
        await GrainFactory.GetGrain<IPreCommitBatcherGrain>((long)_id.Miner).Add(entry);
        return Step.To(SectorState.PreCommitBatchWait, $"queued in the pre-commit batcher (expiration {expiration})", s => s.Expiration = expiration);
    }

    private async Task<Step> WaitPreCommitAsync(CancellationToken cancellationToken)
    {
        if (await OnChainStepAsync(cancellationToken) is { } done)
        {
            return done;
        }

        return await GrainFactory.GetGrain<IPreCommitBatcherGrain>((long)_id.Miner).Find(_id.Number) == BatchEntryState.Unknown
            ? Step.To(SectorState.SubmitPreCommitBatch, "the pre-commit batcher does not have the sector and the chain does not either: resubmitting")
            : Step.Until(options.ChainPollInterval * 5); // the batcher reports; this look is the fallback
    }

    /// <summary>Where the chain says the sector is past pre-commit: WaitSeed if pre-committed, FinalizeSector if proven.</summary>
    private async Task<Step?> OnChainStepAsync(CancellationToken cancellationToken)
    {
        if (await chain.StateSectorGetInfo(MinerAddress, _id.Number, null, cancellationToken) is not null)
        {
            return Step.To(SectorState.FinalizeSector, "already proven on chain");
        }

        if (await chain.StateSectorPreCommitInfo(MinerAddress, _id.Number, null, cancellationToken) is { } pre)
        {
            return Step.To(SectorState.WaitSeed, $"pre-committed on chain at epoch {pre.PreCommitEpoch}", s => s.PreCommitEpoch = pre.PreCommitEpoch);
        }

        return null;
    }

    private async Task<Step> WaitSeedAsync(CancellationToken cancellationToken)
    {
        if (await chain.StateSectorGetInfo(MinerAddress, _id.Number, null, cancellationToken) is not null)
        {
            return Step.To(SectorState.FinalizeSector, "already proven on chain");
        }

        var preCommitEpoch = S.PreCommitEpoch;
        if (preCommitEpoch == 0 || S.SeedEpoch == 0)
        {
            var pre = await chain.StateSectorPreCommitInfo(MinerAddress, _id.Number, null, cancellationToken);
            if (pre is null)
            {
                return Step.Failed($"sector {_id.Number} is neither pre-committed nor proven on chain");
            }
            else
            {
                preCommitEpoch = pre.PreCommitEpoch;
            }
        }

        var seedEpoch = S.SeedEpoch != 0 ? S.SeedEpoch : preCommitEpoch + options.Policy.PreCommitChallengeDelay;
        var head = await chain.ChainHead(cancellationToken);
        if (head.Height < seedEpoch)
        {
            if (S.SeedEpoch != seedEpoch || S.PreCommitEpoch != preCommitEpoch)
            {
                S.SeedEpoch = seedEpoch;
                S.PreCommitEpoch = preCommitEpoch;
                await WriteAsync();
            }

            return Step.Until(options.ChainPollInterval);
        }

        var seed = await chain.StateGetRandomnessFromBeacon(DomainSeparationTag.InteractiveSealChallengeSeed, seedEpoch, Entropy(), null, cancellationToken);
        return Step.To(SectorState.Committing, $"seed of epoch {seedEpoch} at head {head.Height}", s =>
        {
            s.Seed = seed;
            s.SeedEpoch = seedEpoch;
            s.PreCommitEpoch = preCommitEpoch;
        });
    }

    private async Task<Step> CommitAsync(CancellationToken cancellationToken)
    {
        var proof = Proof;
        var pc1 = new PreCommit1Output(proof.Id, S.ReplicaId!, S.CommD!);
        var pc2 = new PreCommit2Output(S.CommR!, S.CommC!, S.CommRLast!);
        var seed = S.Seed!;
        var vanilla = await RunAsync(SealingTaskType.Commit1, async (ct, _) =>
        {
            using var files = await storage.AcquireSectorAsync(_id, SectorFileTypes.All, SectorFileType.None, PathType.Sealing, SectorSpace.None, ct);
            return new Sealer(proof).Commit1(files.Paths, pc1, pc2, seed);
        }, cancellationToken);
        var bytes = await RunAsync(SealingTaskType.Commit2, (_, _) => Task.FromResult(Sealer.Commit2(vanilla)), cancellationToken);
        return Step.To(SectorState.SubmitCommit, $"seal proof of {bytes.Length} bytes", s => s.Proof = bytes);
    }

    private async Task<Step> SubmitCommitAsync(CancellationToken cancellationToken)
    {
        if (await chain.StateSectorGetInfo(MinerAddress, _id.Number, null, cancellationToken) is not null)
        {
            return Step.To(SectorState.FinalizeSector, "already proven on chain");
        }

        var entry = new CommitEntry(_id.Number, S.Proof!, [.. S.Pieces.Where(p => p.Deal)], DateTimeOffset.UtcNow);
        await GrainFactory.GetGrain<ICommitBatcherGrain>((long)_id.Miner).Add(entry);
        return Step.To(SectorState.CommitWait, "queued in the commit batcher");
    }

    private async Task<Step> WaitCommitAsync(CancellationToken cancellationToken)
    {
        if (await chain.StateSectorGetInfo(MinerAddress, _id.Number, null, cancellationToken) is not null)
        {
            return Step.To(SectorState.FinalizeSector, "proven on chain");
        }

        return await GrainFactory.GetGrain<ICommitBatcherGrain>((long)_id.Miner).Find(_id.Number) == BatchEntryState.Unknown
            ? Step.To(SectorState.SubmitCommit, "the commit batcher does not have the sector and the chain has not proven it: resubmitting")
            : Step.Until(options.ChainPollInterval * 5);
    }

    private async Task<Step> FinalizeAsync(CancellationToken cancellationToken)
    {
        var proof = Proof;
        var keepUnsealed = S.DealSector;
        var note = await RunAsync(SealingTaskType.Finalize, async (ct, _) =>
        {
            if (storage.LocalFile(_id, SectorFileType.Cache) is { } cache && storage.LocalFile(_id, SectorFileType.Sealed) is { } sealedFile)
            {
                new Sealer(proof).FinalizeSector(new SectorPaths(storage.LocalFile(_id, SectorFileType.Unsealed) ?? "", sealedFile, cache), keepUnsealed: true);
            }

            var dropped = "";
            if (!keepUnsealed)
            {
                // A committed-capacity sector holds zeros: nothing to keep unsealed (lotus drops it too). A copy on a silo
                // that cannot be asked (gone) is no reason to hold the sector back.
                try
                {
                    await storage.RemoveAsync(_id, SectorFileType.Unsealed, everywhere: true, ct);
                }
                catch (SectorStorageException e)
                {
                    dropped = $"; {e.Message}";
                }
            }

            try
            {
                var paths = await storage.MoveToStorageAsync(_id, SectorFileType.Sealed | SectorFileType.Cache, ct);
                return $"sealed replica and cache in long-term storage path {string.Join(", ", paths)}{dropped}";
            }
            catch (SectorStorageException)
            {
                if (!await NoLongTermPathAsync(proof))
                {
                    throw;
                }

                return $"no long-term storage path in the cluster: the sealed replica and cache stay in sealing storage{dropped}";
            }
        }, cancellationToken);
        var onChain = await chain.StateSectorGetInfo(MinerAddress, _id.Number, null, cancellationToken);
        return Step.To(SectorState.Proving, note, s =>
        {
            s.Proof = null; // the chain has it; a proof is tens of KiB the state need not carry
            s.Activation = onChain?.Activation ?? s.Activation;
            s.Expiration = onChain?.Expiration ?? s.Expiration;
            s.ScratchHolder = null;
            s.ScratchGoneSince = null;
        });
    }

    private async Task<bool> NoLongTermPathAsync(SealProofType proof)
    {
        var space = SectorSpace.Finalized(proof);
        var paths = await GrainFactory.GetGrain<ISectorIndexGrain>(0).BestAllocation(SectorFileType.Sealed, PathType.Storage,
            space.Total(SectorFileType.Sealed | SectorFileType.Cache));
        return paths.Count == 0;
    }

    /// <summary>
    /// Before a step that needs scratch files: null to go on here; otherwise what to do (migrate, wait, restart). A holder
    /// that is this silo but lacks the file it needs also restarts the sector (the files were deleted).
    /// </summary>
    private async Task<Step?> CheckScratchAsync(SectorFileType needed)
    {
        if (S.ScratchHolder is not { } holder)
        {
            return Restart("no silo holds its scratch files");
        }

        var check = scratch.Check(holder, S.ScratchGoneSince);
        switch (check.State)
        {
            case ScratchState.Here:
                if (S.ScratchGoneSince is not null)
                {
                    S.ScratchGoneSince = null;
                    await WriteAsync();
                }

                if (storage.LocalFile(_id, needed) is null && !(needed == SectorFileType.Sealed && storage.LocalFile(_id, SectorFileType.Cache) is null
                    && S.State == SectorState.FinalizeSector && await FinalizedElsewhereAsync()))
                {
                    return Restart($"its {needed.Name()} file is missing on {holder.Silo}");
                }

                return null;
            case ScratchState.Alive:
                // The files are on another live sealing silo: continue there.
                LogMigrating(_id.Name, silo.Name, holder.Silo);
                RequestContext.Set(IPlacementDirector.PlacementHintKey, check.Silo!);
                this.MigrateOnIdle();
                return Step.Idle;
            case ScratchState.Gone:
                if (S.ScratchGoneSince != check.GoneSince)
                {
                    S.ScratchGoneSince = check.GoneSince;
                    await WriteAsync();
                }

                var left = check.GoneSince!.Value + scratch.ScratchLostAfter - DateTimeOffset.UtcNow;
                var poll = TimeSpan.FromTicks(Math.Max(scratch.ScratchLostAfter.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks));
                return Step.Until(left < poll ? left + TimeSpan.FromMilliseconds(50) : poll);
            default:
                return Restart($"its scratch files on {holder.Silo} ({holder.Endpoint}) are lost: that silo has been gone since {check.GoneSince:u}");
        }
    }

    // After an interrupted finalize the files may already sit in long-term storage on another silo.
    private async Task<bool> FinalizedElsewhereAsync() =>
        (await GrainFactory.GetGrain<ISectorIndexGrain>(0).FindSector(_id, SectorFileType.Sealed)).Count > 0;

    private Step Restart(string why)
    {
        LogRestart(_id.Name, silo.Name, why);
        return Step.To(S.DealSector ? SectorState.AddPiece : SectorState.Packing, $"restarting from its pieces on {silo.Name}: {why}", s =>
        {
            if (s.DealSector)
            {
                // The pieces are written again from their sources.
                s.DealsWritten = 0;
                s.Pieces = new List<SectorPiece>();
            }

            s.Restarts++;
            s.ScratchHolder = null;
            s.ScratchGoneSince = null;
            s.CommD = null;
            s.ReplicaId = null;
            s.CommC = null;
            s.CommRLast = null;
            s.Proof = null;
            // CommR and the ticket stay: sealing the same pieces with the same ticket gives the same CommR, which a
            // sector already pre-committed needs.
        });
    }

    private async Task<T> RunAsync<T>(SealingTaskType type, Func<CancellationToken, IProgress<StageProgress>, Task<T>> work,
        CancellationToken cancellationToken)
    {
        var task = new SealingTask(_id, type, Proof);
        _progress.Report(new StageProgress(type.Name(), 0));
        try
        {
            return await pool.RunAsync(task, (ct, progress) => work(ct, new TeeProgress(progress, _progress)), cancellationToken);
        }
        finally
        {
            _progress.Clear();
        }
    }

    private async Task TransitionAsync(SectorState next, string note, long? stepDone)
    {
        await _write.WaitAsync();
        try
        {
            S.State = next;
            S.Version++;
            S.History.Add(new SectorHistoryEntry(next, DateTimeOffset.UtcNow, note, silo.Name));
            await state.WriteStateAsync();
            if (stepDone is { } started)
            {
                _transitionMicros.Add((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }
        }
        finally
        {
            _write.Release();
        }

        LogTransition(_id.Name, next, note);
        TellDeals(next);
        TellPlanner(next);
    }

    // Each deal in the sector hears of its transitions (one-way: a deal that is gone costs nothing here).
    private void TellDeals(SectorState next)
    {
        if (S.Deals.Count == 0)
        {
            return;
        }

        var notice = new SectorStateNotice(_id.Number, next.ToString(), DateTimeOffset.UtcNow);
        foreach (var deal in S.Deals.Select(d => d.DealUuid).Where(u => u != Guid.Empty).Distinct())
        {
            try
            {
                _ = GrainFactory.GetGrain<IDealGrain>(deal).SectorChanged(notice);
            }
            catch (Exception e)
            {
                LogDealNoticeFailed(e, _id.Name, deal);
            }
        }
    }

    private async Task FailAsync(SectorState from, string error, long? stepDone)
    {
        S.Failures++;
        S.ConsecutiveFailures++;
        S.LastError = error;
        S.RetryState = from switch
        {
            SectorState.PreCommitBatchWait or SectorState.SubmitPreCommitBatch => SectorState.SubmitPreCommitBatch,
            SectorState.SubmitCommit or SectorState.CommitWait => SectorState.WaitSeed, // re-read the seed, prove again
            _ => from,
        };
        var backoff = options.Backoff(S.ConsecutiveFailures);
        S.RetryAt = DateTimeOffset.UtcNow + backoff;
        LogFailed(_id.Name, from, backoff.TotalSeconds, error);
        await TransitionAsync(from.FailureOf(), error, stepDone);
    }

    private async Task WriteAsync()
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

    private async Task EnsureWatchdogAsync(bool on)
    {
        if (_watchdog == on)
        {
            return;
        }

        try
        {
            if (on)
            {
                await this.RegisterOrUpdateReminder(Watchdog, options.WatchdogPeriod, options.WatchdogPeriod);
            }
            else if (await this.GetReminder(Watchdog) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            _watchdog = on;
        }
        catch (Exception e)
        {
            LogWatchdogFailed(e, _id.Name, on);
        }
    }

    // Filecoin's entropy for miner randomness: the miner's id address as a CBOR byte string.
    private byte[] Entropy()
    {
        var writer = new System.Formats.Cbor.CborWriter();
        writer.WriteByteString(MinerAddress.ToBytes());
        return writer.Encode();
    }

    private static void WriteZeros(string path, long size)
    {
        if (File.Exists(path) && new FileInfo(path).Length == size && IsAllZero(path))
        {
            return; // written before a crash
        }

        // Written beside and renamed, so a crash never leaves a short file; SetLength makes the zeros sparse.
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.SetLength(size);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static bool IsAllZero(string path)
    {
        using var file = File.OpenRead(path);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            if (buffer.AsSpan(0, read).ContainsAnyExcept((byte)0))
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(Exception e) => e is AggregateException { InnerException: { } inner } ? Describe(inner) : $"{e.GetType().Name}: {e.Message}";

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private enum StepKind
    {
        Idle,
        Wait,
        Next,
        Failed,
    }

    /// <summary>What a state's step came to.</summary>
    private sealed record Step(StepKind Kind, SectorState State, string Note, TimeSpan After, Action<SectorGrainState>? Apply)
    {
        public static Step Idle { get; } = new(StepKind.Idle, SectorState.Undefined, "", TimeSpan.Zero, null);

        public static Step To(SectorState next, string note, Action<SectorGrainState>? apply = null) => new(StepKind.Next, next, note, TimeSpan.Zero, apply);

        public static Step Until(TimeSpan after) => new(StepKind.Wait, SectorState.Undefined, "", after, null);

        public static Step Failed(string error) => new(StepKind.Failed, SectorState.Undefined, error, TimeSpan.Zero, null);
    }

    /// <summary>The stage running now and its progress, written by sealing threads and read by <see cref="Status"/>.</summary>
    private sealed class LiveProgress : IProgress<StageProgress>
    {
        private object? _value;

        public void Report(StageProgress value) => Volatile.Write(ref _value, value);

        public void Clear() => Volatile.Write(ref _value, null);

        public (string Stage, double Fraction) Read() => Volatile.Read(ref _value) is StageProgress p ? (p.Stage ?? "", p.Fraction) : ("", 0);
    }

    private sealed class TeeProgress(IProgress<StageProgress> first, IProgress<StageProgress> second) : IProgress<StageProgress>
    {
        public void Report(StageProgress value)
        {
            first.Report(value);
            second.Report(value);
        }
    }
}
