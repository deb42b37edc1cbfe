using Granary.Grains.Placement;

namespace Granary.Grains.Deals;

/// <inheritdoc cref="IDealListPageGrain" />
[RequiresSubsystem(Subsystem.Markets)]
public sealed class DealListPageGrain(
    [PersistentState("deal-list-page", GrainStorage.Name)] IPersistentState<DealListPage> state) : Grain, IDealListPageGrain
{
    /// <inheritdoc />
    public async Task Upsert(DealSummary deal)
    {
        var deals = state.State.Deals;
        var at = deals.FindIndex(d => d.DealUuid == deal.DealUuid);
        if (at >= 0)
        {
            if (deals[at] == deal)
            {
                return;
            }

            deals[at] = deal;
        }
        else
        {
            deals.Add(deal);
        }

        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public async Task Apply(IReadOnlyList<DealSummary> upserts, IReadOnlyList<Guid> removed, IReadOnlyList<DealReservation> reservations, IReadOnlyList<Guid> released)
    {
        ArgumentNullException.ThrowIfNull(upserts);
        ArgumentNullException.ThrowIfNull(removed);
        ArgumentNullException.ThrowIfNull(reservations);
        ArgumentNullException.ThrowIfNull(released);
        var deals = state.State.Deals;
        var held = state.State.Reservations;
        var changed = false;
        if (removed.Count > 0 || released.Count > 0)
        {
            var gone = removed.Concat(released).ToHashSet();
            changed |= deals.RemoveAll(d => removed.Contains(d.DealUuid)) > 0;
            changed |= held.RemoveAll(r => gone.Contains(r.DealUuid)) > 0;
        }

        foreach (var deal in upserts)
        {
            var at = deals.FindIndex(d => d.DealUuid == deal.DealUuid);
            if (at < 0)
            {
                deals.Add(deal);
                changed = true;
            }
            else if (deals[at] != deal)
            {
                deals[at] = deal;
                changed = true;
            }
        }

        foreach (var reservation in reservations)
        {
            var at = held.FindIndex(r => r.DealUuid == reservation.DealUuid);
            if (at < 0)
            {
                held.Add(reservation);
                changed = true;
            }
            else if (held[at] != reservation)
            {
                held[at] = reservation;
                changed = true;
            }
        }

        if (changed)
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DealReservation>> Reservations() => Task.FromResult<IReadOnlyList<DealReservation>>([.. state.State.Reservations]);

    /// <inheritdoc />
    public async Task Remove(Guid dealUuid)
    {
        if (state.State.Deals.RemoveAll(d => d.DealUuid == dealUuid) > 0)
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DealSummary>> Get() => Task.FromResult<IReadOnlyList<DealSummary>>([.. state.State.Deals]);
}
