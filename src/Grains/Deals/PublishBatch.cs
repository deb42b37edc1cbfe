namespace Granary.Grains.Deals;

/// <summary>
/// One <c>PublishStorageDeals</c> message: persisted with its deals before it is pushed (under <see cref="Key"/>, the
/// miner grain's idempotency key), then with its CID once pushed, and dropped once every deal has its outcome.
/// </summary>
/// <param name="Key">The push key: pushing again after a crash returns the message already pushed under it.</param>
/// <param name="Deals">The deals, in the message's order.</param>
/// <param name="Message">The message CID once pushed; empty before.</param>
/// <param name="CreatedAt">When the batch was formed.</param>
/// <param name="Attempts">Failed push attempts so far.</param>
/// <param name="NextAttempt">When to push (or check) again.</param>
/// <param name="LastError">Why the last attempt failed; empty if none did.</param>
[GenerateSerializer, Immutable, Alias("granary.PublishBatch")]
public sealed record PublishBatch(
    [property: Id(0)] string Key,
    [property: Id(1)] Guid[] Deals,
    [property: Id(2)] string Message,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] int Attempts,
    [property: Id(5)] DateTimeOffset NextAttempt,
    [property: Id(6)] string LastError);
