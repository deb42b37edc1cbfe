using Granary.Chain;
using Granary.Filecoin;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Grains.Placement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Storage;

namespace Granary.Grains.Deals;

/// <inheritdoc cref="IDealGrain" />
/// <remarks>
/// Not reentrant: a deal's proposal and progress reports are handled one at a time (status reads interleave). Acceptance: the
/// checks (<c>DealGrain.Checks.cs</c>, in Boost's order), then admission through the miner's
/// <see cref="IDealDirectoryGrain"/> (back-pressure), then the state is persisted, and only then the answer goes back
/// and the transfer stage starts.
/// <para>
/// Resume after a restart: an online deal still at <see cref="DealCheckpoint.Accepted"/> starts its transfer again
/// whenever its grain activates (<see cref="OnActivateAsync"/>); the stage resumes the <c>.part</c> with a Range request
/// and ignores a deal it already pulls, so starting twice runs one pull. What re-activates the grain after the markets
/// silo restarted is a reminder (<see cref="ResumeReminder"/>) registered at acceptance (an offline deal's at
/// <see cref="DealCheckpoint.Transferred"/>) and unregistered once the deal is <see cref="DealCheckpoint.IndexedAndAnnounced"/>
/// or complete: the reminder service is durable and wakes the grain on a live markets silo, with no startup scan of the
/// directory (whose reservations would otherwise have to be walked per miner).
/// </para>
/// <para>
/// After <see cref="DealCheckpoint.Transferred"/> (<c>DealGrain.Flow.cs</c>) each checkpoint has one idempotent step, run
/// from a timer on activation, on each checkpoint change and on each reminder tick: a transferred deal queues at the
/// miner's <see cref="IDealPublisherGrain"/>, a published one asks it for its message's outcome, a confirmed one hands its
/// piece to the miner's <see cref="Sectors.IDealSectorPlannerGrain"/> and records the sector in the piece directory, an
/// added one has its CAR indexed. Transient failures retry with back-off; a refusal fails the deal with the reason.
/// The sector then reports its states (<see cref="SectorChanged"/>); past <c>Packing</c> the staged copy is deleted.
/// </para>
/// </remarks>
[RequiresSubsystem(Subsystem.Markets)]
public sealed partial class DealGrain(
    [PersistentState("deal", GrainStorage.Name)] IPersistentState<DealGrainState> state,
    IChainNode chain,
    IOptions<DealmakingOptions> options,
    IServiceProvider services,
    ILocalSiloDetails silo,
    ILogger<DealGrain> logger) : Grain, IDealGrain, IRemindable
{
    /// <summary>Most history entries kept per deal (the first, its acceptance, always stays).</summary>
    public const int MaxHistory = 100;

    /// <summary>
    /// The reminder that re-activates a deal with work left after a restart: an accepted online deal (its transfer resumes)
    /// and any deal from <see cref="DealCheckpoint.Transferred"/> until it is <see cref="DealCheckpoint.IndexedAndAnnounced"/>.
    /// </summary>
    public const string ResumeReminder = "resume-transfer";

    /// <summary>How often the reminder wakes a deal with work left; a running pull or a step already under way makes the wake-up a no-op.</summary>
    public static readonly TimeSpan ResumePeriod = TimeSpan.FromMinutes(5);

    private readonly DealmakingOptions _options = options.Value;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken) => await ResumeAsync();

    // Picks up the work a stored deal has left: its transfer, or its next checkpoint's step.
    private async Task ResumeAsync()
    {
        if (IsTransferPending)
        {
            await StartTransferAsync();
        }
        else if (HasNextStep)
        {
            ScheduleStep(TimeSpan.Zero);
        }
    }

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Activation already (re)started the transfer; a tick on a live activation starts it again, which the stage ignores if it runs.
        if (reminderName != ResumeReminder)
        {
            return;
        }

        if (IsTransferPending)
        {
            await StartTransferAsync();
        }
        else if (HasNextStep)
        {
            if (_step is null)
            {
                ScheduleStep(TimeSpan.Zero); // a step already waiting for its back-off keeps its time
            }
        }
        else
        {
            await UnregisterResumeAsync();
        }
    }

    private bool IsTransferPending => state.State.Deal is { IsOffline: false } && state.State.Checkpoint == DealCheckpoint.Accepted;

    /// <inheritdoc />
    public async Task<DealDecision> Propose(ProposedDeal deal)
    {
        ArgumentNullException.ThrowIfNull(deal);
        NewStateHint.Clear(); // the gateway's word that this grain is new was for its activation only, not for the calls made from here
        var uuid = this.GetPrimaryKey();
        if (deal.DealUuid != uuid)
        {
            return DealDecision.Refuse($"deal {deal.DealUuid} was sent to the deal grain of {uuid}");
        }

        if (state.State.Deal is not null)
        {
            return AnswerAgain(deal);
        }

        ClientDealProposal signed;
        try
        {
            signed = ClientDealProposal.FromCbor(deal.ClientDealProposal);
        }
        catch (FilecoinFormatException e)
        {
            return DealDecision.Refuse($"the client deal proposal is malformed: {e.Message}");
        }

        var refusal = await CheckAsync(deal, signed);
        if (refusal is not null)
        {
            LogRefused(uuid, refusal, deal.Gateway);
            return DealDecision.Refuse(refusal);
        }

        var now = DateTimeOffset.UtcNow;
        var summary = Summarize(deal, signed.Proposal, now, DealCheckpoint.Accepted, "", 0);
        var directory = Directory(summary.Provider);
        var admission = await directory.Admit(summary, StagingBytes(deal, signed.Proposal), new DealCapacity(_options.MaxStagingBytes, _options.MaxConcurrentTransfers,
            _options.MaxSealingSectorsForDeals, _checkedHead, _options.BlockDelay, _options.ExpectedSealDuration));
        if (!admission.Admitted)
        {
            LogRefused(uuid, admission.Reason, deal.Gateway);
            return DealDecision.Refuse(admission.Reason);
        }

        state.State.Deal = deal;
        state.State.Checkpoint = DealCheckpoint.Accepted;
        state.State.Error = "";
        state.State.Summary = summary;
        state.State.SignedProposalCid = signed.Cid().ToString();
        state.State.UpdatedAt = now;
        state.State.ListPage = admission.Page;
        state.State.History = [new DealHistoryEntry(DealCheckpoint.Accepted, now, $"accepted by {deal.Gateway} over {deal.Protocol} from {deal.ClientPeer}", silo.Name)];
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException) when (state.Etag is null)
        {
            // The first write inserts only where no row exists: this deal was stored before, and this activation did not
            // read it because the gateway took the UUID for a new one (NewStateHint). Answer from what is stored.
            return await AnswerStoredAsync(deal, admission.Page);
        }
        catch
        {
            // Not recorded, so not accepted: give the reservation back and let the client retry.
            state.State = new DealGrainState();
            await directory.Withdraw(uuid, admission.Page);
            throw;
        }

        LogAccepted(uuid, summary.Client, summary.PieceCid, summary.PieceSize, deal.Gateway);
        if (!deal.IsOffline)
        {
            await RegisterResumeAsync();
        }

        await StartTransferAsync();
        return DealDecision.Accept;
    }

    // A proposal under the UUID of a stored deal: the same proposal again (a client retrying after a lost answer) gets
    // the same answer; another is refused.
    private DealDecision AnswerAgain(ProposedDeal deal)
    {
        var uuid = deal.DealUuid;
        if (!state.State.Deal!.SameDealAs(deal))
        {
            LogRefused(uuid, "duplicate UUID", deal.Gateway);
            return DealDecision.Refuse($"deal {uuid} already exists: a deal with this UUID and a different proposal was accepted earlier");
        }

        return state.State.Error.Length == 0 ? DealDecision.Accept : DealDecision.Refuse($"deal {uuid} failed: {state.State.Error}");
    }

    // The proposal was checked and admitted as a new deal, but the deal was stored before (its activation skipped the
    // read): read it, undo what the admission changed, answer as for a stored deal, and resume its work.
    private async Task<DealDecision> AnswerStoredAsync(ProposedDeal deal, int admittedPage)
    {
        await state.ReadStateAsync();
        var stored = state.State;
        if (stored.Deal is null || stored.Summary is null)
        {
            throw new InconsistentStateException($"deal {deal.DealUuid}: the stored deal changed while it was proposed again; try again");
        }

        // While the stored deal still held its reservation the directory answered from it and changed nothing. Once it
        // gave it back (at AddedPiece, or failed) the admission made a second one and listed the new summary: withdraw
        // those and list the stored summary again.
        if (stored.Summary.Checkpoint >= DealCheckpoint.AddedPiece || stored.Error.Length > 0)
        {
            var directory = Directory(stored.Summary.Provider);
            await directory.Withdraw(deal.DealUuid, admittedPage);
            await directory.Update(stored.Summary, stored.ListPage);
        }

        var decision = AnswerAgain(deal);
        await ResumeAsync();
        return decision;
    }

    /// <inheritdoc />
    public Task<DealSnapshot?> GetStatus() => Task.FromResult(state.State.Deal is null ? null : Snapshot());

    /// <inheritdoc />
    public async Task<DealSnapshot> RecordProgress(DealProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var uuid = this.GetPrimaryKey();
        var current = state.State.Deal is null ? throw new DealmakingException($"there is no deal {uuid}")
            : state.State.Checkpoint;
        if (current == DealCheckpoint.Complete)
        {
            throw new DealmakingException($"deal {uuid} is complete{(state.State.Error.Length > 0 ? $" (failed: {state.State.Error})" : "")}; it takes no more progress");
        }

        if (progress.Checkpoint == DealCheckpoint.Complete || progress.Checkpoint < current)
        {
            throw new DealmakingException($"deal {uuid} is at {current}; it cannot move to {progress.Checkpoint} (use Fail to end it)");
        }

        var s = state.State;
        s.NBytesReceived = progress.NBytesReceived ?? s.NBytesReceived;
        s.PublishCid = progress.PublishCid ?? s.PublishCid;
        s.SectorNumber = progress.SectorNumber ?? s.SectorNumber;
        s.SealingStatus = progress.SealingStatus ?? s.SealingStatus;
        var dealId = progress.ChainDealId ?? s.Summary!.ChainDealId;
        await MoveAsync(progress.Checkpoint, "", progress.Note, dealId);
        return Snapshot();
    }

    /// <inheritdoc />
    public async Task<DealSnapshot> Fail(string error)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        var uuid = this.GetPrimaryKey();
        if (state.State.Deal is null)
        {
            throw new DealmakingException($"there is no deal {uuid}");
        }

        if (state.State.Checkpoint != DealCheckpoint.Complete)
        {
            await MoveAsync(DealCheckpoint.Complete, error, error, state.State.Summary!.ChainDealId);
            LogFailed(uuid, error);
        }

        return Snapshot();
    }

    private async Task MoveAsync(DealCheckpoint checkpoint, string error, string note, ulong chainDealId)
    {
        var s = state.State;
        var now = DateTimeOffset.UtcNow;
        var changed = s.Checkpoint != checkpoint;
        var from = s.Checkpoint;
        s.Checkpoint = checkpoint;
        s.Error = error;
        s.UpdatedAt = now;
        s.Summary = s.Summary! with { Checkpoint = checkpoint, Error = error, ChainDealId = chainDealId, SealingStatus = s.SealingStatus };
        if (changed || note.Length > 0)
        {
            s.History.Add(new DealHistoryEntry(checkpoint, now, note, silo.Name));
            if (s.History.Count > MaxHistory)
            {
                // Keep the acceptance and the latest steps: a chatty stage cannot grow the state without bound.
                s.History.RemoveAt(1);
            }
        }

        await state.WriteStateAsync();
        await Directory(s.Summary.Provider).Update(s.Summary, s.ListPage);
        if (changed)
        {
            await OnCheckpointChangedAsync(from);
        }
    }

    private async Task RegisterResumeAsync()
    {
        try
        {
            await this.RegisterOrUpdateReminder(ResumeReminder, ResumePeriod, ResumePeriod);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Without a reminder service (a test cluster) the deal still resumes whenever its grain is next activated.
            LogResumeReminderFailed(this.GetPrimaryKey(), e.Message);
        }
    }

    private async Task UnregisterResumeAsync()
    {
        try
        {
            if (await this.GetReminder(ResumeReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A stale reminder only wakes the grain, which then unregisters it again.
            LogResumeReminderFailed(this.GetPrimaryKey(), e.Message);
        }
    }

    private async Task StartTransferAsync()
    {
        var deal = state.State.Deal!;
        if (deal.IsOffline)
        {
            LogWaitingForImport(deal.DealUuid);
            return;
        }

        if (services.GetService<IDealTransferStage>() is not { } stage)
        {
            LogTransferNotWired(deal.DealUuid);
            return;
        }

        try
        {
            await stage.StartAsync(Snapshot(), CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The deal is accepted and recorded; the transfer stage resumes it later (its own retry), so the answer stands.
            LogTransferStartFailed(deal.DealUuid, e.Message);
        }
    }

    private DealSnapshot Snapshot()
    {
        var s = state.State;
        return new DealSnapshot(s.Summary!, s.Deal!, s.SignedProposalCid, s.PublishCid, s.SealingStatus, s.SectorNumber, s.NBytesReceived,
            s.UpdatedAt, [.. s.History]);
    }

    private DealSummary Summarize(ProposedDeal deal, DealProposal p, DateTimeOffset at, DealCheckpoint checkpoint, string error, ulong dealId) =>
        new(deal.DealUuid, at, Text(p.Client), Text(p.Provider), p.PieceCid.ToString(), p.PieceSize, p.StoragePricePerEpoch.AttoFil,
            p.StartEpoch, p.EndEpoch, checkpoint, error, deal.IsOffline, deal.Transfer.Size, dealId, deal.Gateway);

    // Staging holds the CAR as transferred (or imported); an offline deal without a size reserves the piece's unpadded bytes.
    private static long StagingBytes(ProposedDeal deal, DealProposal p) =>
        deal.Transfer.Size > 0 ? (long)Math.Min(deal.Transfer.Size, long.MaxValue) : Filecoin.Pieces.PaddedPieceSize.Unpadded(p.PieceSize);

    private IDealDirectoryGrain Directory(string miner) => GrainFactory.GetGrain<IDealDirectoryGrain>(miner);

    private string Text(Address address) => address.ToString(_options.AddressNetwork);
}
