using System.Collections.Concurrent;
using System.Diagnostics;
using Orleans.Storage;

namespace Granary.Bench.Deals;

/// <summary>Bench-only: counts the grain storage calls and the time spent in each (by state name and operation).</summary>
internal sealed class TimedGrainStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public static readonly ConcurrentDictionary<string, (long Count, double Ms)> Calls = new();

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Time($"read {stateName}", () => inner.ReadStateAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Time($"write {stateName}", () => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Time($"clear {stateName}", () => inner.ClearStateAsync(stateName, grainId, grainState));

    public void Participate(ISiloLifecycle observer) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(observer);

    public static object Report() => Calls.OrderBy(c => c.Key).ToDictionary(c => c.Key, c => new { count = c.Value.Count, ms = Math.Round(c.Value.Ms) });

    private static async Task Time(string key, Func<Task> call)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            await call();
        }
        finally
        {
            Calls.AddOrUpdate(key, (1, watch.Elapsed.TotalMilliseconds), (_, v) => (v.Count + 1, v.Ms + watch.Elapsed.TotalMilliseconds));
        }
    }
}
