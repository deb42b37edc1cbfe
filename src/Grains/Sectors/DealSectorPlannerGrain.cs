using Granary.Chain;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Pieces;
using Granary.Grains.Placement;
using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Proofs.Seal;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Sectors;

/// <inheritdoc cref="IDealSectorPlannerGrain" />
/// <remarks>
/// <para>One open sector at a time (lotus's <c>MaxWaitDealsSectors = 1</c>). A piece that does not fit after the open
/// sector's pieces starts that sector sealing and opens a new one. Pieces go at lotus's aligned offsets
/// (<see cref="PieceWriter.NextOffset"/>); the sector grain writes them and fills the gaps with zero pieces.</para>
/// <para><b>Crash safety.</b> The assignment is persisted before the sector is told; the count of pieces the sector
/// recorded is persisted after. On activation (and on every call) pieces not yet confirmed are handed to the sector again,
/// which ignores a deal it holds. A new sector number is asked for with a persisted token, so a retry never takes a
/// second number; a seal request is persisted before it is sent and resent until confirmed.</para>
/// <para><b>Starting.</b> The open sector seals when full, when <see cref="SectorPipelineOptions.WaitDealsDelay"/> has
/// passed since its first piece, or when a deal starts within <see cref="SectorPipelineOptions.DealStartBuffer"/> epochs.
/// A timer checks; a reminder reactivates the planner after a restart while a sector is open.</para>
/// <para><b>Sealing load.</b> Every deal sector opened counts as sealing for deals until it reports <c>Proving</c> or its
/// removal (<see cref="SectorChanged"/>; the reminder also asks each such sector, in case a report was lost). Each change
/// is pushed to the miner's deal directory, which refuses proposals over <c>[Dealmaking] MaxSealingSectorsForDeals</c>.</para>
/// </remarks>
[RequiresSubsystem(Subsystem.Sealing)]
public sealed partial class DealSectorPlannerGrain(
    [PersistentState("deal-sector-planner", GrainStorage.Name)] IPersistentState<DealSectorPlannerState> state,
    IChainNode chain,
    SectorPipelineOptions options,
    ILogger<DealSectorPlannerGrain> logger) : Grain, IDealSectorPlannerGrain, IRemindable
{
    private const string Reminder = "wait-deals";
    private Address _miner = null!;
    private SealProofType? _proof;
    private IGrainTimer? _timer;
    private bool? _reminder;

    private DealSectorPlannerState S => state.State;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _miner = ParseMiner(this.GetPrimaryKeyString());
        try
        {
            await CatchUpAsync();
        }
        catch (Exception e)
        {
            LogCatchUpFailed(e, this.GetPrimaryKeyString()); // the next call or tick retries
        }

        Arm();
    }

    /// <inheritdoc />
    public async Task<PieceAssignment> AddPiece(DealPieceRequest request)
    {
        Check(request);
        if (S.Assignments.TryGetValue(request.DealId, out var known))
        {
            await CatchUpAsync();
            return known;
        }

        var proof = await ProofAsync();
        if (request.PaddedSize > proof.SectorSize)
        {
            throw new SectorPlanningException($"deal {request.DealId}: its piece is {request.PaddedSize} bytes padded and the miner's sectors are "
                + $"{proof.Name} ({proof.SectorSize} bytes); it cannot fit any sector");
        }

        await CatchUpAsync();
        if (S.Open is null || S.Open.SealProof != proof.Id)
        {
            var space = SectorSpace.Sealing(proof).Total(SectorFileType.Unsealed);
            if ((await GrainFactory.GetGrain<ISectorIndexGrain>(0).BestAllocation(SectorFileType.Unsealed, PathType.Sealing, space, _miner.Id)).Count == 0)
            {
                throw new SectorPlanningException($"deal {request.DealId}: no sealing silo has a sealing storage path with room for a {proof.Name} "
                    + $"sector's unsealed file ({space} bytes); attach one (granary storage attach --seal) on a silo with EnableSealing");
            }
        }

        if (S.Open is { } open && Offset(open, proof, request.PaddedSize) is null)
        {
            await SealAsync(open.Number, $"full: deal {request.DealId}'s {request.PaddedSize}-byte piece does not fit after its pieces");
        }

        if (S.Open is null)
        {
            await OpenSectorAsync(proof);
        }

        var sector = S.Open!;
        var offset = Offset(sector, proof, request.PaddedSize)!.Value;
        var piece = new SectorDealPiece(request.DealUuid, request.DealId, request.PieceCid, request.PaddedSize, offset, request.Source,
            request.StartEpoch, request.EndEpoch);
        var assignment = new PieceAssignment(sector.Number, Name(sector.Number), offset);
        sector.Pieces.Add(piece);
        sector.FirstPieceAt ??= DateTimeOffset.UtcNow;
        S.Assignments[request.DealId] = assignment;
        S.LoadVersion++;
        await state.WriteStateAsync();
        PushLoad();
        LogPlaced(this.GetPrimaryKeyString(), request.DealId, sector.Number, offset);

        await DeliverAsync();
        if (!S.Assignments.ContainsKey(request.DealId))
        {
            return await AddPiece(request); // its sector stopped taking pieces: placed in a new one
        }

        await EnsureReminderAsync(true);
        await ConsiderSealingAsync();
        Arm();
        return assignment;
    }

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == Reminder)
        {
            await TickAsync();
        }
    }

    private async Task TickAsync()
    {
        try
        {
            await CatchUpAsync();
            await ConsiderSealingAsync();
            await ReconcileSealingAsync();
        }
        catch (Exception e)
        {
            LogCatchUpFailed(e, this.GetPrimaryKeyString());
        }

        if (S.Open is null && S.SealPending.Count == 0 && S.Sealing.Count == 0)
        {
            await EnsureReminderAsync(false);
        }

        Arm();
    }

    // Pieces the sector has not confirmed, and seal requests not confirmed, are sent again.
    private async Task CatchUpAsync()
    {
        await DeliverAsync();
        foreach (var (number, reason) in S.SealPending.ToList())
        {
            await Sector(number).StartSealing(reason);
            S.SealPending.Remove(number);
            await state.WriteStateAsync();
        }
    }

    private async Task DeliverAsync()
    {
        if (S.Open is not { } open)
        {
            return;
        }

        while (open.Delivered < open.Pieces.Count)
        {
            try
            {
                await Sector(open.Number).AddDealPiece(open.Pieces[open.Delivered]);
            }
            catch (InvalidOperationException)
            {
                if (!await TakesNoPiecesAsync(open.Number))
                {
                    throw;
                }

                // Removed by the operator (or otherwise past WaitDeals): its undelivered deals are placed again elsewhere.
                foreach (var piece in open.Pieces.Skip(open.Delivered))
                {
                    S.Assignments.Remove(piece.DealId);
                }

                S.Open = null;
                S.LoadVersion++;
                await state.WriteStateAsync();
                PushLoad();
                LogDropped(this.GetPrimaryKeyString(), open.Number);
                return;
            }

            open.Delivered++;
            await state.WriteStateAsync();
        }
    }

    private async Task<bool> TakesNoPiecesAsync(ulong number) =>
        (await Sector(number).Status())?.State is not (SectorState.WaitDeals or SectorState.AddPiece or SectorState.AddPieceFailed);

    private async Task ConsiderSealingAsync()
    {
        if (S.Open is not { Pieces.Count: > 0 } open)
        {
            return;
        }

        var proof = SealProofType.FromId(open.SealProof);
        var end = open.Pieces[^1].Offset + open.Pieces[^1].Size;
        string? reason = null;
        if (end >= proof.SectorSize)
        {
            reason = "full";
        }
        else if (open.FirstPieceAt is { } first && DateTimeOffset.UtcNow - first >= options.WaitDealsDelay)
        {
            reason = $"WaitDealsDelay ({options.WaitDealsDelay}) passed since its first piece";
        }
        else
        {
            var head = (await chain.ChainHead()).Height;
            var earliest = open.Pieces.Min(p => p.StartEpoch);
            if (earliest - head <= options.DealStartBuffer)
            {
                reason = $"a deal starts at epoch {earliest}, within {options.DealStartBuffer} epochs of the head ({head})";
            }
        }

        if (reason is not null)
        {
            await SealAsync(open.Number, reason);
        }
    }

    private async Task SealAsync(ulong number, string reason)
    {
        if (S.Open?.Number == number)
        {
            await DeliverAsync(); // every piece placed in it is recorded by the sector before it stops taking pieces
        }

        S.SealPending[number] = reason;
        var wasOpen = S.Open?.Number == number;
        if (wasOpen)
        {
            S.Open = null;
            S.LoadVersion++;
        }

        await state.WriteStateAsync();
        if (wasOpen)
        {
            PushLoad();
        }

        LogSealing(this.GetPrimaryKeyString(), number, reason);
        await Sector(number).StartSealing(reason);
        S.SealPending.Remove(number);
        await state.WriteStateAsync();
    }

    private async Task OpenSectorAsync(SealProofType proof)
    {
        if (S.Opening is null)
        {
            S.Opening = Guid.NewGuid();
            await state.WriteStateAsync();
        }

        var number = await GrainFactory.GetGrain<ISectorNumberGrain>((long)_miner.Id).OpenDealSector(proof.Id, S.Opening.Value);
        S.Open = new OpenDealSector { Number = number, SealProof = proof.Id };
        S.Opening = null;
        S.Sealing[number] = DateTimeOffset.UtcNow;
        S.LoadVersion++;
        await state.WriteStateAsync();
        PushLoad();
        LogOpened(this.GetPrimaryKeyString(), number, proof.Name);
    }

    // Where a piece of this size goes after the sector's pieces, or null when it does not fit.
    private static long? Offset(OpenDealSector sector, SealProofType proof, long size)
    {
        try
        {
            return PieceWriter.NextOffset(proof, sector.Pieces.Select(p => new PieceInfo(p.Size, new byte[32])), size);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private async Task<SealProofType> ProofAsync()
    {
        if (_proof is null)
        {
            var info = await chain.StateMinerInfo(_miner, null);
            _proof = SealProofType.All.FirstOrDefault(p => p.SectorSize == (long)info.SectorSize)
                ?? throw new SectorPlanningException($"miner {_miner} has {info.SectorSize}-byte sectors, which Granary does not seal");
        }

        return _proof;
    }

    private static void Check(DealPieceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!PaddedPieceSize.IsValid(request.PaddedSize))
        {
            throw new SectorPlanningException($"deal {request.DealId}: {request.PaddedSize} is not a padded piece size (a power of two from 128 bytes)");
        }

        if (!IsPieceCid(request.PieceCid))
        {
            throw new SectorPlanningException($"deal {request.DealId}: '{request.PieceCid}' is not a piece CID");
        }

        if (request.Source is null || string.IsNullOrEmpty(request.Source.Silo) || string.IsNullOrEmpty(request.Source.Path)
            || !Path.IsPathFullyQualified(request.Source.Path))
        {
            throw new SectorPlanningException($"deal {request.DealId}: the piece's source must be an absolute path on a named silo");
        }

        if (request.Source.Length <= 0 || request.Source.Length > PaddedPieceSize.Unpadded(request.PaddedSize))
        {
            throw new SectorPlanningException($"deal {request.DealId}: {request.Source.Length} bytes do not fit a {request.PaddedSize}-byte piece "
                + $"(it holds {PaddedPieceSize.Unpadded(request.PaddedSize)})");
        }

        if (request.EndEpoch <= request.StartEpoch)
        {
            throw new SectorPlanningException($"deal {request.DealId}: it ends (epoch {request.EndEpoch}) before it starts ({request.StartEpoch})");
        }
    }

    private static bool IsPieceCid(string? text)
    {
        try
        {
            _ = PieceCid.CommitmentOf(Cid.Parse(text ?? ""));
            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException)
        {
            return false;
        }
    }

    private static Address ParseMiner(string key)
    {
        try
        {
            var miner = Address.Parse(key);
            if (miner.Protocol == AddressProtocol.Id)
            {
                return miner;
            }
        }
        catch (FormatException)
        {
        }

        throw new ArgumentException($"'{key}' is not a miner's id address (t01000)");
    }

    private void Arm()
    {
        _timer?.Dispose();
        _timer = null;
        if (S.Open is not { Pieces.Count: > 0 } open)
        {
            return;
        }

        var left = open.FirstPieceAt!.Value + options.WaitDealsDelay - DateTimeOffset.UtcNow;
        var due = TimeSpan.FromTicks(Math.Clamp(left.Ticks, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromMinutes(1).Ticks));
        _timer = this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan));
    }

    private async Task EnsureReminderAsync(bool on)
    {
        if (_reminder == on)
        {
            return;
        }

        try
        {
            if (on)
            {
                await this.RegisterOrUpdateReminder(Reminder, options.WatchdogPeriod, options.WatchdogPeriod);
            }
            else if (await this.GetReminder(Reminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            _reminder = on;
        }
        catch (Exception e)
        {
            LogReminderFailed(e, this.GetPrimaryKeyString(), on);
        }
    }

    private ISectorGrain Sector(ulong number) => GrainFactory.GetGrain<ISectorGrain>(Name(number));

    private string Name(ulong number) => new SectorId(_miner.Id, number).Name;

    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner}: opened deal sector {Number} ({Proof})")]
    private partial void LogOpened(string miner, ulong number, string proof);

    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner}: deal {Deal} placed in sector {Number} at offset {Offset}")]
    private partial void LogPlaced(string miner, ulong deal, ulong number, long offset);

    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner}: deal sector {Number} starts sealing: {Reason}")]
    private partial void LogSealing(string miner, ulong number, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: deal sector {Number} no longer takes pieces (removed?); its waiting deals go to a new sector")]
    private partial void LogDropped(string miner, ulong number);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: handing pieces or seal requests to sectors failed; retrying later")]
    private partial void LogCatchUpFailed(Exception error, string miner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: setting the wait-deals reminder to {On} failed")]
    private partial void LogReminderFailed(Exception error, string miner, bool on);
}
