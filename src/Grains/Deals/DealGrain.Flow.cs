using Granary.Filecoin.Addresses;
using Granary.Grains.Pieces;
using Granary.Grains.Placement;
using Granary.Grains.Sectors;
using Granary.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Grains.Deals;

// After Transferred: publish (through the miner's publisher), hand the piece to a sector, index it. Each step runs from a
// timer (so no call waits behind it), is idempotent, and starts again whenever the grain activates or its reminder ticks.
public sealed partial class DealGrain
{
    private static readonly TimeSpan MinStepBackoff = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxStepBackoff = TimeSpan.FromMinutes(5);

    private IGrainTimer? _step;
    private int _stepFailures;
    private string _lastWaitNote = "";

    /// <inheritdoc />
    public Task<DealPublishCandidate?> GetPublishCandidate()
    {
        var s = state.State;
        return Task.FromResult(s.Deal is null ? null : new DealPublishCandidate(s.Deal.DealUuid, s.Checkpoint, s.Deal.ClientDealProposal, s.PublishCid));
    }

    // A deal between Transferred and its staging released has a next step.
    private bool HasNextStep => state.State.Deal is not null && state.State.Checkpoint switch
    {
        DealCheckpoint.Transferred or DealCheckpoint.Published or DealCheckpoint.PublishConfirmed or DealCheckpoint.AddedPiece => true,
        DealCheckpoint.IndexedAndAnnounced => state.State.SectorPastPacking && !state.State.StagingReleased,
        _ => false,
    };

    private void ScheduleStep(TimeSpan due)
    {
        _step?.Dispose();
        _step = this.RegisterGrainTimer(StepAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan));
    }

    // What a checkpoint change means for the resume reminder and the next step.
    private async Task OnCheckpointChangedAsync(DealCheckpoint from)
    {
        var s = state.State;
        if (s.Checkpoint is DealCheckpoint.Complete or DealCheckpoint.IndexedAndAnnounced)
        {
            await UnregisterResumeAsync();
        }

        if (s.Checkpoint == DealCheckpoint.Complete && from is >= DealCheckpoint.Transferred and < DealCheckpoint.AddedPiece && !s.Deal!.IsOffline)
        {
            await DiscardStagingAsync(); // failed before its piece was in a sector: nothing needs the staged copy
        }
        else if (from == DealCheckpoint.Accepted && s.Deal!.IsOffline)
        {
            await RegisterResumeAsync(); // an online deal has had one since its acceptance
        }

        _stepFailures = 0;
        if (HasNextStep)
        {
            ScheduleStep(TimeSpan.Zero);
        }
    }

    private async Task StepAsync(CancellationToken cancellationToken)
    {
        _step?.Dispose();
        _step = null;
        var s = state.State;
        if (!HasNextStep)
        {
            return;
        }

        var uuid = this.GetPrimaryKey();
        try
        {
            switch (s.Checkpoint)
            {
                case DealCheckpoint.Transferred:
                    await Publisher().Enqueue(uuid);
                    break;
                case DealCheckpoint.Published:
                    await Publisher().Watch(uuid, s.PublishCid);
                    break;
                case DealCheckpoint.PublishConfirmed:
                    await AddPieceAsync(uuid);
                    break;
                case DealCheckpoint.AddedPiece:
                    await IndexAsync(uuid);
                    break;
                case DealCheckpoint.IndexedAndAnnounced:
                    await ReleaseStagingAsync(uuid);
                    break;
            }

            _stepFailures = 0;
        }
        catch (Exception e) when (IsTransient(e))
        {
            _stepFailures++;
            var wait = TimeSpan.FromTicks(Math.Min(MaxStepBackoff.Ticks, MinStepBackoff.Ticks << Math.Min(_stepFailures - 1, 16)));
            LogStepRetry(uuid, s.Checkpoint, _stepFailures, wait.TotalSeconds, e.Message);
            ScheduleStep(wait);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            // The piece directory or the planner refused what the deal says: trying again cannot help.
            await Fail($"{s.Checkpoint}: the next step failed: {e.Message}");
        }
    }

    // PublishConfirmed → AddedPiece: the planner places the piece (idempotent per deal id); the directory records where.
    private async Task AddPieceAsync(Guid uuid)
    {
        var s = state.State;
        var summary = s.Summary!;
        var piece = GrainFactory.GetPiece(summary.PieceCid);
        var head = (await chain.ChainHead()).Height;
        if (head >= summary.StartEpoch)
        {
            await Fail($"the deal's start epoch {summary.StartEpoch} passed (epoch {head}) before its piece was in a sector");
            return;
        }

        var record = await piece.Info();
        if (record?.Staging is not { } staging)
        {
            // Waited for (with back-off) until the start epoch: a copy may be recorded again, e.g. after a restore.
            throw new PieceUnavailableException($"no staged copy of piece {summary.PieceCid} is recorded in the piece directory");
        }

        var payload = s.NBytesReceived > 0 ? (long)s.NBytesReceived : record.PayloadSize;
        var request = new DealPieceRequest(uuid, summary.ChainDealId, summary.PieceCid, summary.PieceSize, new DealPieceSource(staging.Silo, staging.Path, payload),
            summary.StartEpoch, summary.EndEpoch);
        PieceAssignment assignment;
        try
        {
            assignment = await GrainFactory.GetGrain<IDealSectorPlannerGrain>(summary.Provider).AddPiece(request);
        }
        catch (SectorPlanningException e)
        {
            // No sealing storage with room, or no sector that fits: the operator can fix that before the deal's start epoch
            // (checked on every attempt), so it is waited for, with the reason in the history once.
            if (e.Message != _lastWaitNote)
            {
                _lastWaitNote = e.Message;
                await MoveAsync(DealCheckpoint.PublishConfirmed, "", $"waiting for a sector: {e.Message}", summary.ChainDealId);
            }

            throw new PieceUnavailableException($"the piece cannot be handed to a sector yet: {e.Message}");
        }

        var minerId = MinerId(summary.Provider);
        await piece.AddDeal(new PieceDeal(uuid, summary.ChainDealId, minerId, s.Deal!.IsOffline), summary.PieceSize, payload);
        await piece.AddSectorLocation(new SectorId(minerId, assignment.SectorNumber), assignment.Offset, summary.PieceSize);
        s.SectorNumber = assignment.SectorNumber;
        await MoveAsync(DealCheckpoint.AddedPiece, "", $"in sector {assignment.SectorNumber} ({assignment.SectorName}) at padded offset {assignment.Offset}",
            summary.ChainDealId);
    }

    // AddedPiece → IndexedAndAnnounced: the CAR's blocks into the piece directory's index.
    private async Task IndexAsync(Guid uuid)
    {
        var s = state.State;
        var summary = s.Summary!;
        var piece = GrainFactory.GetPiece(summary.PieceCid);
        var record = await piece.Info();
        if (record is null || record.PayloadSize == 0 || !record.Deals.Any(d => d.DealUuid == uuid))
        {
            // The deal (with its payload size) must be in the directory to index; AddPiece recorded it unless it came another way.
            var payload = s.NBytesReceived > 0 ? (long)s.NBytesReceived : record?.PayloadSize ?? 0;
            if (payload == 0)
            {
                throw new PieceUnavailableException($"the payload size of piece {summary.PieceCid} is not known yet");
            }

            await piece.AddDeal(new PieceDeal(uuid, summary.ChainDealId, MinerId(summary.Provider), s.Deal!.IsOffline), summary.PieceSize, payload);
        }

        var index = await piece.IndexPiece();
        var note = index.State == PieceIndexState.Indexed
            ? $"indexed {index.Blocks} blocks of the CAR (roots {string.Join(", ", index.Roots)})"
            : $"not indexed ({index.Error}); the piece is still retrievable by piece CID";
        await MoveAsync(DealCheckpoint.IndexedAndAnnounced, "",
            $"{note}; not announced to IPNI (announcing to network indexers is not implemented)", summary.ChainDealId);
        LogIndexed(uuid, index.Blocks);
    }

    // Once the sector's unsealed copy holds the data, the staged copy goes (online deals; an imported file is the operator's).
    private async Task ReleaseStagingAsync(Guid uuid)
    {
        var s = state.State;
        var piece = GrainFactory.GetPiece(s.Summary!.PieceCid);
        var staging = (await piece.Info())?.Staging;
        string note;
        if (staging is null)
        {
            note = "";
        }
        else if (s.Deal!.IsOffline)
        {
            note = $"the imported file {staging.Path} is kept (it is the operator's); the sector's unsealed copy holds the data";
        }
        else if (staging.Silo != silo.Name && !File.Exists(staging.Path))
        {
            // Another gateway's staging: its silo's copy stays until that silo's staging is cleaned by hand.
            note = $"the staged copy {staging.Path} is on silo {staging.Silo}, not this one ({silo.Name}); it was left there";
        }
        else if (services.GetService<IDealStagingFiles>() is { } files && files.TryDelete(uuid, staging.Path))
        {
            await piece.SetStaging(null);
            note = $"deleted the staged copy {staging.Path}: the sector's unsealed copy holds the data";
        }
        else
        {
            note = $"the staged copy {staging.Path} is not in this silo's staging area; it was left";
        }

        s.StagingReleased = true;
        await MoveAsync(DealCheckpoint.IndexedAndAnnounced, "", note, s.Summary.ChainDealId);
        LogStagingReleased(uuid, note);
    }

    private async Task DiscardStagingAsync()
    {
        var uuid = this.GetPrimaryKey();
        try
        {
            var piece = GrainFactory.GetPiece(state.State.Summary!.PieceCid);
            if ((await piece.Info())?.Staging is { } staging && services.GetService<IDealStagingFiles>() is { } files && files.TryDelete(uuid, staging.Path))
            {
                await piece.SetStaging(null);
                LogStagingReleased(uuid, $"deleted the staged copy {staging.Path} of the failed deal");
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogStepRetry(uuid, DealCheckpoint.Complete, 1, 0, $"the staged copy of the failed deal was not deleted: {e.Message}");
        }
    }

    private IDealPublisherGrain Publisher() => GrainFactory.GetGrain<IDealPublisherGrain>(state.State.Summary!.Provider);

    private static ulong MinerId(string provider)
    {
        try
        {
            var address = Address.Parse(provider);
            return address.Protocol == AddressProtocol.Id ? address.Id : 0;
        }
        catch (Filecoin.FilecoinFormatException)
        {
            return 0;
        }
    }

    // Worth trying again: the cluster, the chain, a piece not readable yet; not a refusal of the deal itself.
    private static bool IsTransient(Exception e) => e is not OutOfMemoryException
        && e is OrleansException or TimeoutException or Chain.ChainException or PieceUnavailableException or IOException or HttpRequestException
            or Miner.MinerException or DealmakingException or SubsystemUnavailableException;
}
