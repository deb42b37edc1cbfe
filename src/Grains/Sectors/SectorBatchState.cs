namespace Granary.Grains.Sectors;

/// <summary>The persisted state of a batcher: what waits and what is in the message being sent.</summary>
/// <typeparam name="TEntry">A pre-commit or commit entry.</typeparam>
[GenerateSerializer, Alias("granary.SectorBatchState`1")]
public sealed class SectorBatchState<TEntry>
{
    /// <summary>Entries waiting for a batch, oldest first.</summary>
    [Id(0)] public List<TEntry> Queued { get; set; } = [];

    /// <summary>Entries of the message being sent; after a crash they are queued again (and checked on chain before resending).</summary>
    [Id(1)] public List<TEntry> Sending { get; set; } = [];

    /// <summary>Messages sent (for <c>./bench.sh</c> and tests).</summary>
    [Id(2)] public long MessagesSent { get; set; }
}
