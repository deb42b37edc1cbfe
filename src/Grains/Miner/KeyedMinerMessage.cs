namespace Granary.Grains.Miner;

/// <summary>A message pushed under a caller's idempotency key (<see cref="IMinerGrain.Push"/>).</summary>
/// <param name="Key">The caller's key.</param>
/// <param name="Message">The message pushed under it.</param>
[GenerateSerializer, Immutable, Alias("granary.KeyedMinerMessage")]
public sealed record KeyedMinerMessage(
    [property: Id(0)] string Key,
    [property: Id(1)] PendingMinerMessage Message);
