namespace Granary.Grains.Miner;

/// <summary>A message the grain pushed and has not yet seen land.</summary>
/// <param name="Message">The signed message's CID.</param>
/// <param name="Method">The miner method.</param>
/// <param name="Nonce">The worker nonce it used.</param>
/// <param name="From">The key address that signed it (the worker when it was sent).</param>
/// <param name="PushedAt">When it was pushed.</param>
[GenerateSerializer, Immutable, Alias("granary.PendingMinerMessage")]
public sealed record PendingMinerMessage(
    [property: Id(0)] string Message,
    [property: Id(1)] ulong Method,
    [property: Id(2)] ulong Nonce,
    [property: Id(3)] string From,
    [property: Id(4)] DateTimeOffset PushedAt);
