namespace Granary.Grains.Deals;

/// <summary>A transferred deal waiting in the publisher's queue.</summary>
/// <param name="Deal">The deal UUID.</param>
/// <param name="QueuedAt">When it was queued (the publish period counts from the oldest).</param>
[GenerateSerializer, Immutable, Alias("granary.QueuedPublish")]
public sealed record QueuedPublish(
    [property: Id(0)] Guid Deal,
    [property: Id(1)] DateTimeOffset QueuedAt);
