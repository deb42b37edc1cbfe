using Granary.Grains.Sectors;

namespace Granary.Grains.Deals;

// The deal follows its sector: sealing status from the sector's notices, and staging released once it is past Packing.
public sealed partial class DealGrain
{
    /// <inheritdoc />
    public async Task SectorChanged(SectorStateNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var s = state.State;
        if (s.Deal is null || s.Checkpoint == DealCheckpoint.Complete)
        {
            return;
        }

        if (s.SectorNumber is { } number && number != notice.SectorNumber)
        {
            return; // a notice of another sector (the deal was placed again elsewhere)
        }

        if (notice.At < s.SealingStatusAt || (s.SealingStatus == notice.State && s.SectorNumber == notice.SectorNumber))
        {
            return; // out of order, or nothing new
        }

        s.SectorNumber = notice.SectorNumber;
        s.SealingStatus = notice.State;
        s.SealingStatusAt = notice.At;
        s.UpdatedAt = DateTimeOffset.UtcNow;
        s.SectorPastPacking |= PastPacking(notice.State);
        s.Summary = s.Summary! with { SealingStatus = notice.State };
        await state.WriteStateAsync();
        await Directory(s.Summary.Provider).Update(s.Summary, s.ListPage);
        LogSectorChanged(this.GetPrimaryKey(), notice.SectorNumber, notice.State);
        if (HasNextStep && s.Checkpoint == DealCheckpoint.IndexedAndAnnounced)
        {
            ScheduleStep(TimeSpan.Zero);
        }
    }

    /// <summary>
    /// Whether a sector in <paramref name="state"/> has packed its pieces into the unsealed copy and moved on along the
    /// sealing pipeline (<c>GetTicket</c> up to <c>Proving</c>); failure and removal states do not count.
    /// </summary>
    public static bool PastPacking(string state) =>
        Enum.TryParse<SectorState>(state, ignoreCase: false, out var parsed) && parsed > SectorState.Packing && parsed <= SectorState.Proving;
}
