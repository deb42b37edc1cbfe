using Orleans.Storage;

namespace Granary.Grains;

/// <summary>
/// A grain storage provider that hands its writes and clears to the provider it wraps one at a time, reads as they
/// come. For SQLite: the database has one writer lock, and Microsoft.Data.Sqlite meets a held lock (SQLITE_BUSY) by
/// putting the thread to sleep and trying again, so concurrent grain writes from one silo spend their time asleep
/// on each other instead of writing. Queued here (asynchronously, no thread held) each write finds the lock free.
/// Nothing about durability changes: each write is still its own committed transaction before it returns.
/// </summary>
/// <param name="inner">The provider that does the writing (the ADO.NET one).</param>
public sealed class SerialWriteGrainStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await _gate.WaitAsync();
        try
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await _gate.WaitAsync();
        try
        {
            await inner.ClearStateAsync(stateName, grainId, grainState);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Participate(ISiloLifecycle observer) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(observer);
}
