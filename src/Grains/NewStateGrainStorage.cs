using Orleans.Storage;

namespace Granary.Grains;

/// <summary>
/// A grain storage provider that skips the read of a grain whose caller declared it new (<see cref="NewStateHint"/>),
/// and hands every other read, every write and every clear to the provider it wraps. The skipped read leaves the state
/// as Orleans created it: empty, no ETag, no record, so the first write is an insert — and Granary's write queries insert
/// only when no row exists, so a wrong hint surfaces as an <see cref="InconsistentStateException"/> at that write,
/// never as a stored state overwritten.
/// </summary>
/// <param name="inner">The provider that does the reading and writing (the ADO.NET one, possibly wrapped).</param>
public sealed class NewStateGrainStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (grainState.ETag is null && NewStateHint.Claims(grainId))
        {
            return Task.CompletedTask;
        }

        return inner.ReadStateAsync(stateName, grainId, grainState);
    }

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.WriteStateAsync(stateName, grainId, grainState);

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    /// <inheritdoc />
    public void Participate(ISiloLifecycle observer) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(observer);
}
