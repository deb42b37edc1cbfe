using Granary.Grains.Placement;

namespace Granary.Grains.Deals;

/// <inheritdoc cref="IDealDirectoryGrain" />
/// <remarks>
/// Not reentrant: admissions are decided one at a time against the persisted ledger. A reservation is released when
/// the deal no longer needs it (transfer slot at <see cref="DealCheckpoint.Transferred"/>, staging bytes at
/// <see cref="DealCheckpoint.AddedPiece"/>), or when it fails.
/// </remarks>
[RequiresSubsystem(Subsystem.Markets)]
public sealed class DealDirectoryGrain(
    [PersistentState("deal-directory", GrainStorage.Name)] IPersistentState<DealDirectoryState> state) : Grain, IDealDirectoryGrain
{
    /// <inheritdoc />
    public async Task<DealAdmission> Admit(DealSummary deal, long stagingBytes, DealCapacity capacity)
    {
        ArgumentNullException.ThrowIfNull(deal);
        ArgumentNullException.ThrowIfNull(capacity);
        var ledger = state.State;
        if (ledger.Reservations.Find(r => r.DealUuid == deal.DealUuid) is { } admitted)
        {
            return new DealAdmission(true, "", admitted.Page);
        }

        var holdsTransfer = !deal.IsOffline;
        var reserved = ledger.Reservations.Sum(r => r.StagingBytes);
        var transfers = ledger.Reservations.Count(r => r.HoldsTransfer);
        if (capacity.MaxStagingBytes > 0 && reserved + stagingBytes > capacity.MaxStagingBytes)
        {
            return new DealAdmission(false,
                $"cannot accept a deal of {stagingBytes} bytes on top of the {reserved} bytes already staged for other deals: "
                + $"it would exceed the staging limit of {capacity.MaxStagingBytes} bytes (MaxStagingBytes); try again later", -1);
        }

        if (holdsTransfer && capacity.MaxConcurrentTransfers > 0 && transfers >= capacity.MaxConcurrentTransfers)
        {
            return new DealAdmission(false,
                $"cannot accept the deal: {transfers} transfers are already in progress, the limit (MaxConcurrentTransfers); try again later", -1);
        }

        if (ledger.Pages == 0 || ledger.LastPageCount >= DealListPage.Capacity)
        {
            ledger.Pages++;
            ledger.LastPageCount = 0;
        }

        var page = ledger.Pages - 1;
        await Page(page).Upsert(deal);
        ledger.LastPageCount++;
        ledger.Deals++;
        ledger.Reservations.Add(new DealReservation(deal.DealUuid, stagingBytes, holdsTransfer, DateTimeOffset.UtcNow, page));
        await state.WriteStateAsync();
        return new DealAdmission(true, "", page);
    }

    /// <inheritdoc />
    public async Task Update(DealSummary deal, int page)
    {
        ArgumentNullException.ThrowIfNull(deal);
        if (page >= 0 && page < state.State.Pages)
        {
            await Page(page).Upsert(deal);
        }

        var reservations = state.State.Reservations;
        var at = reservations.FindIndex(r => r.DealUuid == deal.DealUuid);
        if (at < 0)
        {
            return;
        }

        var reservation = reservations[at];
        if (deal.Checkpoint >= DealCheckpoint.AddedPiece)
        {
            reservations.RemoveAt(at);
        }
        else if (reservation.HoldsTransfer && deal.Checkpoint >= DealCheckpoint.Transferred)
        {
            reservations[at] = reservation with { HoldsTransfer = false };
        }
        else
        {
            return;
        }

        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public async Task Withdraw(Guid dealUuid, int page)
    {
        if (page >= 0 && page < state.State.Pages)
        {
            await Page(page).Remove(dealUuid);
        }

        if (state.State.Reservations.RemoveAll(r => r.DealUuid == dealUuid) > 0)
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public Task<DealDirectoryInfo> Describe()
    {
        var ledger = state.State;
        return Task.FromResult(new DealDirectoryInfo(this.GetPrimaryKeyString(), ledger.Deals, ledger.Reservations.Sum(r => r.StagingBytes),
            ledger.Reservations.Count(r => r.HoldsTransfer), ledger.Reservations.Count));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DealSummary>> List(int offset, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var result = new List<DealSummary>();
        var skip = offset;
        for (var page = state.State.Pages - 1; page >= 0 && result.Count < limit; page--)
        {
            var deals = await Page(page).Get();
            for (var i = deals.Count - 1; i >= 0 && result.Count < limit; i--)
            {
                if (skip > 0)
                {
                    skip--;
                    continue;
                }

                result.Add(deals[i]);
            }
        }

        return result;
    }

    private IDealListPageGrain Page(int page) => GrainFactory.GetGrain<IDealListPageGrain>($"{this.GetPrimaryKeyString()}/{page}");
}
