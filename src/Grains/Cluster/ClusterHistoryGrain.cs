namespace Granary.Grains.Cluster;

/// <inheritdoc cref="IClusterHistoryGrain" />
public sealed class ClusterHistoryGrain(
    [PersistentState("cluster-history", GrainStorage.Name)] IPersistentState<ClusterHistory> state)
    : Grain, IClusterHistoryGrain
{
    /// <inheritdoc />
    public async Task RecordStart(SiloStart start)
    {
        var history = state.State;
        history.FirstStart ??= start.StartedAt;
        history.TotalStarts++;
        history.Recent.Add(start);
        if (history.Recent.Count > ClusterHistory.Capacity)
        {
            history.Recent.RemoveRange(0, history.Recent.Count - ClusterHistory.Capacity);
        }

        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public Task<ClusterHistory> Get() => Task.FromResult(state.State);
}
