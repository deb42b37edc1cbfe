using Granary.Grains.Deals;
using Granary.Proofs;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Sectors;

// The count of deal sectors sealing ([Dealmaking] MaxSealingSectorsForDeals): kept in the planner's state, pushed to the
// miner's deal directory on every change, read by the directory when it activates.
public sealed partial class DealSectorPlannerGrain
{
    /// <summary>How many of the latest deal sectors' seal durations are kept (the longest is reported).</summary>
    public const int MeasuredSectors = 3;

    /// <summary>Whether a sector in <paramref name="state"/> no longer counts as sealing for deals.</summary>
    public static bool LeftSealing(SectorState state) =>
        state is SectorState.Proving or SectorState.FaultReported or SectorState.Removing or SectorState.RemoveFailed or SectorState.Removed;

    /// <inheritdoc />
    public async Task<DealSealingLoad> SealingLoad()
    {
        if (SectorSize() == 0)
        {
            try
            {
                await ProofAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSectorSizeUnknown(e, this.GetPrimaryKeyString()); // reported without it: the directory does not refuse on it
            }
        }

        return Load();
    }

    /// <inheritdoc />
    public async Task SectorChanged(SectorStateNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        if (!Enum.TryParse<SectorState>(notice.State, out var sectorState) || !LeftSealing(sectorState)
            || !S.Sealing.Remove(notice.SectorNumber, out var opened))
        {
            return;
        }

        if (sectorState == SectorState.Proving)
        {
            Measure(notice.At - opened);
        }

        S.LoadVersion++;
        await state.WriteStateAsync();
        LogLeftSealing(this.GetPrimaryKeyString(), notice.SectorNumber, notice.State, S.Sealing.Count);
        PushLoad();
    }

    // Asks each counted sector for its state, and stops counting those past sealing or gone (a notice may have been lost).
    private async Task ReconcileSealingAsync()
    {
        var left = new List<(ulong Number, string State)>();
        foreach (var number in S.Sealing.Keys.ToList())
        {
            var status = await Sector(number).Status();
            if (status is null || status.State == SectorState.Undefined || LeftSealing(status.State))
            {
                left.Add((number, status?.State.ToString() ?? "unknown"));
                if (status?.History.LastOrDefault(h => h.State == SectorState.Proving) is { } proving)
                {
                    Measure(proving.Entered - S.Sealing[number]);
                }
            }
        }

        if (left.Count == 0)
        {
            return;
        }

        foreach (var (number, _) in left)
        {
            S.Sealing.Remove(number);
        }

        S.LoadVersion++;
        await state.WriteStateAsync();
        foreach (var (number, sectorState) in left)
        {
            LogLeftSealing(this.GetPrimaryKeyString(), number, sectorState, S.Sealing.Count);
        }

        PushLoad();
    }

    private DealSealingLoad Load()
    {
        var size = SectorSize();
        long free = 0;
        if (S.Open is { } open && S.Sealing.ContainsKey(open.Number))
        {
            var end = open.Pieces.Count == 0 ? 0 : open.Pieces[^1].Offset + open.Pieces[^1].Size;
            free = Math.Max(0, SealProofType.FromId(open.SealProof).SectorSize - end);
        }

        var measured = S.RecentSealDurations.Count == 0 ? TimeSpan.Zero : S.RecentSealDurations.Max();
        return new DealSealingLoad(S.LoadVersion, S.Sealing.Count, free, size, measured);
    }

    // Keeps the last few opened→Proving durations (persisted with the change that records them).
    private void Measure(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return;
        }

        S.RecentSealDurations.Add(duration);
        if (S.RecentSealDurations.Count > MeasuredSectors)
        {
            S.RecentSealDurations.RemoveRange(0, S.RecentSealDurations.Count - MeasuredSectors);
        }
    }

    private long SectorSize() => _proof?.SectorSize ?? (S.Open is { } open ? SealProofType.FromId(open.SealProof).SectorSize : 0);

    // One-way: the planner does not wait for the markets silo (nor fail when none is up; the directory reads it on activation).
    private void PushLoad()
    {
        try
        {
            _ = GrainFactory.GetGrain<IDealDirectoryGrain>(this.GetPrimaryKeyString()).SealingChanged(Load());
        }
        catch (Exception e)
        {
            LogPushFailed(e, this.GetPrimaryKeyString());
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner}: deal sector {Number} left sealing ({State}); {Sealing} deal sectors are sealing")]
    private partial void LogLeftSealing(string miner, ulong number, string state, int sealing);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: telling the deal directory how many sectors are sealing failed")]
    private partial void LogPushFailed(Exception error, string miner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: the sector size is unknown (reading the miner's info failed)")]
    private partial void LogSectorSizeUnknown(Exception error, string miner);
}
