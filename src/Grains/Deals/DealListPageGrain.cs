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
