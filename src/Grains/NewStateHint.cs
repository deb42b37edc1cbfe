using Orleans.Storage;

namespace Granary.Grains;

/// <summary>
/// A caller's word that the grain it is about to call has never stored its state, carried in the call's
/// <see cref="RequestContext"/> and scoped to that one grain. A <see cref="NewStateGrainStorage"/> then activates the grain
/// without reading (its state starts empty, with no ETag), which saves a database round trip per new grain where new
/// grains arrive by the thousand (a deal grain per proposal).
/// <para>
/// The word may be wrong (a client reusing a deal UUID): the grain's first write then inserts only if no row exists,
/// fails with <see cref="InconsistentStateException"/> if one does, and the grain reads what is stored and carries on
/// from it (see <c>DealGrain.Propose</c>). A grain called with the hint must therefore be one that handles that.
/// </para>
/// </summary>
public static class NewStateHint
{
    /// <summary>The request-context key; its value is the grain's <see cref="GrainId"/>.</summary>
    public const string Key = "granary.new-state";

    /// <summary>Declares <paramref name="grain"/> new for the calls made until the returned scope is disposed.</summary>
    public static IDisposable For(GrainId grain)
    {
        RequestContext.Set(Key, grain);
        return new Scope();
    }

    /// <summary>Whether the current call declared <paramref name="grain"/> new.</summary>
    public static bool Claims(GrainId grain) => RequestContext.Get(Key) is GrainId claimed && claimed.Equals(grain);

    /// <summary>
    /// Drops the hint from the current call context: a grain that received it clears it first thing, so that its own
    /// reads and the calls it makes to other grains do not carry it.
    /// </summary>
    public static void Clear() => RequestContext.Remove(Key);

    private sealed class Scope : IDisposable
    {
        public void Dispose() => Clear();
    }
}
