using Granary.Grains.Sectors;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Deals;

// Sealing capacity ([Dealmaking] MaxSealingSectorsForDeals): the planner's count of deal sectors sealing, kept in memory so
// an admission decides in its one turn without a grain call. The planner pushes every change (SealingChanged); the
// directory reads it when it activates and, while admissions ask for the limit, again once a minute in the background
// (a push lost with a silo is repaired by then). While no count is known (no sealing silo answers) nothing is refused on it.
public sealed partial class DealDirectoryGrain
{
    /// <summary>How long activation waits for the planner's count before going on without it.</summary>
    public static readonly TimeSpan SealingReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How soon a failed read of the planner's count is tried again (by the next admission after it).</summary>
    public static readonly TimeSpan SealingRetry = TimeSpan.FromSeconds(5);

    /// <summary>How often the count is read again while admissions check it, in case a push was lost.</summary>
    public static readonly TimeSpan SealingRefresh = TimeSpan.FromMinutes(1);

    private DealSealingLoad? _sealing;
    private long _waitingPieceBytes;
    private Task? _sealingRead;
    private DateTimeOffset _nextSealingRead;
    private bool _sealingReadFailing;

    /// <inheritdoc />
    public Task SealingChanged(DealSealingLoad load)
    {
        ArgumentNullException.ThrowIfNull(load);
        Take(load);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<DealSealingBacklog> DescribeSealing()
    {
        var s = _sealing;
        return Task.FromResult(new DealSealingBacklog(s is not null, s?.SealingSectors ?? 0, s?.OpenSectorFreeBytes ?? 0, s?.SectorSize ?? 0,
            _waitingPieceBytes, s is null ? 0 : SectorsNeeded(s, _waitingPieceBytes), s?.Version ?? -1, s?.MeasuredSealDuration ?? TimeSpan.Zero));
    }

    // Activation waits a little for the count; a slow or absent sealing silo leaves it unknown (the read goes on).
    private async Task ReadSealingAtActivationAsync()
    {
        try
        {
            await StartSealingRead().WaitAsync(SealingReadTimeout);
        }
        catch (TimeoutException)
        {
            _nextSealingRead = DateTimeOffset.UtcNow + SealingRetry;
        }
    }

    // Null when the deal fits the sealing limit (or the count is unknown); else why not. Runs inside the admission's turn.
    private string? SealingRefusal(DealSummary deal, DealCapacity capacity)
    {
        if (DateTimeOffset.UtcNow >= _nextSealingRead)
        {
            StartSealingRead(); // not awaited: this admission decides on what is known now
        }

        if (_sealing is not { } s)
        {
            return null;
        }

        // Recent deal sectors took longer than ExpectedSealDuration: the deal must start after that much, too.
        if (s.MeasuredSealDuration > capacity.ExpectedSealDuration && capacity.BlockDelay > TimeSpan.Zero && capacity.CurrentEpoch > 0)
        {
            var epochs = (long)Math.Ceiling(s.MeasuredSealDuration / capacity.BlockDelay);
            if (deal.StartEpoch < capacity.CurrentEpoch + epochs)
            {
                var measured = TimeSpan.FromSeconds(Math.Ceiling(s.MeasuredSealDuration.TotalSeconds));
                return $"cannot seal the deal in time: recent deal sectors took up to {measured} from WaitDeals to Proving (longer than "
                    + $"ExpectedSealDuration, {capacity.ExpectedSealDuration}), {epochs} epochs, so it would end around epoch "
                    + $"{capacity.CurrentEpoch + epochs}, after the deal's start epoch {deal.StartEpoch}";
            }
        }

        if (s.SectorSize <= 0)
        {
            return null;
        }

        var limit = capacity.MaxSealingSectorsForDeals;
        var needed = SectorsNeeded(s, _waitingPieceBytes + Math.Max(0, deal.PieceSize));
        if (s.SealingSectors + needed <= limit)
        {
            return null;
        }

        return $"sealing capacity full: {s.SealingSectors} {(s.SealingSectors == 1 ? "sector is" : "sectors are")} sealing for deals and "
            + $"{needed} more {(needed == 1 ? "is" : "are")} needed for the deals waiting for a sector, this one included; "
            + $"the limit is {limit} (MaxSealingSectorsForDeals); try again later";
    }

    // Sectors the waiting piece bytes need beyond the open sector's free space (alignment padding is not counted).
    private static int SectorsNeeded(DealSealingLoad load, long waitingBytes)
    {
        var beyond = waitingBytes - Math.Max(0, load.OpenSectorFreeBytes);
        if (beyond <= 0 || load.SectorSize <= 0)
        {
            return 0;
        }

        return (int)Math.Min(int.MaxValue, (beyond + load.SectorSize - 1) / load.SectorSize);
    }

    private static long WaitingBytes(DealReservation reservation) => reservation.PieceSize > 0 ? reservation.PieceSize : reservation.StagingBytes;

    private void Take(DealSealingLoad load)
    {
        if (_sealing is null || load.Version >= _sealing.Version)
        {
            _sealing = load;
        }

        _nextSealingRead = DateTimeOffset.UtcNow + SealingRefresh;
    }

    private Task StartSealingRead()
    {
        if (_sealingRead is null || _sealingRead.IsCompleted)
        {
            _nextSealingRead = DateTimeOffset.UtcNow + SealingRefresh; // no second read while this one runs
            _sealingRead = ReadSealingAsync();
        }

        return _sealingRead;
    }

    private async Task ReadSealingAsync()
    {
        try
        {
            Take(await GrainFactory.GetGrain<IDealSectorPlannerGrain>(this.GetPrimaryKeyString()).SealingLoad());
            if (_sealingReadFailing)
            {
                _sealingReadFailing = false;
                LogSealingKnown(this.GetPrimaryKeyString(), _sealing!.SealingSectors);
            }
        }
        catch (Exception e)
        {
            _nextSealingRead = DateTimeOffset.UtcNow + SealingRetry;
            if (!_sealingReadFailing)
            {
                _sealingReadFailing = true;
                LogSealingUnknown(e, this.GetPrimaryKeyString(), _sealing is null ? "unknown" : "as last reported");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "miner {Miner}: cannot read how many sectors are sealing for deals (is a sealing silo up?); the count stays {Count} "
            + "and is read again after a short wait")]
    private partial void LogSealingUnknown(Exception error, string miner, string count);

    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner}: {Sectors} sectors are sealing for deals (read from the deal-sector planner)")]
    private partial void LogSealingKnown(string miner, int sectors);
}
