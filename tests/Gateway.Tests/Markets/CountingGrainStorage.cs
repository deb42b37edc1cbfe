using System.Collections.Concurrent;
using Orleans.Storage;

namespace Granary.Gateway.Tests.Markets;

/// <summary>
/// Test-only: sits between the silo's grain storage wrappers and the real ADO.NET provider and counts, per grain,
/// the reads that reach the database and the writes refused there for a stale ETag.
/// </summary>
public sealed class CountingGrainStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Reads that reached the database, by grain.</summary>
    public static readonly ConcurrentDictionary<GrainId, int> Reads = new();

    /// <summary>Writes the database refused (<see cref="InconsistentStateException"/>), by grain.</summary>
    public static readonly ConcurrentDictionary<GrainId, int> RefusedWrites = new();

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        Reads.AddOrUpdate(grainId, 1, (_, n) => n + 1);
        return inner.ReadStateAsync(stateName, grainId, grainState);
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        try
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
        }
        catch (InconsistentStateException)
        {
            RefusedWrites.AddOrUpdate(grainId, 1, (_, n) => n + 1);
            throw;
        }
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    /// <inheritdoc />
    public void Participate(ISiloLifecycle observer) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(observer);
}
