namespace Granary.Grains.Deals;

/// <summary>A deal publisher's queue and messages.</summary>
/// <param name="Queued">Deals waiting for a message, oldest first.</param>
/// <param name="Batches">Messages being sent or waited for.</param>
/// <param name="MessagesSent">How many <c>PublishStorageDeals</c> messages were pushed so far.</param>
[GenerateSerializer, Immutable, Alias("granary.DealPublisherSnapshot")]
public sealed record DealPublisherSnapshot(
    [property: Id(0)] IReadOnlyList<QueuedPublish> Queued,
    [property: Id(1)] IReadOnlyList<PublishBatch> Batches,
    [property: Id(2)] long MessagesSent);
