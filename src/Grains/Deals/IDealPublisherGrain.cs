using Orleans.Concurrency;

namespace Granary.Grains.Deals;

/// <summary>
/// A miner's deal publisher (key: the miner's address text, <c>t01000</c>), on markets silos: Boost's deal publisher.
/// Transferred deals queue here and go out together in one <c>PublishStorageDeals</c> message of up to
/// <see cref="DealmakingOptions.MaxDealsPerPublishMsg"/> deals, or with whatever is queued once
/// <see cref="DealmakingOptions.PublishMsgPeriod"/> has passed since the oldest was queued. The message is sent through
/// the miner grain (signed by the worker, to the market actor); each deal is told when it is sent
/// (<see cref="DealCheckpoint.Published"/>) and when it lands (<see cref="DealCheckpoint.PublishConfirmed"/> with its
/// chain deal id, or failed with the reason).
/// </summary>
[Alias("granary.IDealPublisherGrain")]
public interface IDealPublisherGrain : IGrainWithStringKey
{
    /// <summary>Queues a deal at <see cref="DealCheckpoint.Transferred"/> (again: nothing changes).</summary>
    [Alias("Enqueue"), OneWay]
    Task Enqueue(Guid deal);

    /// <summary>
    /// A deal at <see cref="DealCheckpoint.Published"/> asks for the outcome of its message: the publisher follows the
    /// message (if it does not already) and tells the deal once it landed.
    /// </summary>
    [Alias("Watch"), OneWay]
    Task Watch(Guid deal, string message);

    /// <summary>What is queued and on its way.</summary>
    [Alias("Describe")]
    Task<DealPublisherSnapshot> Describe();
}
