namespace Granary.Grains.Deals;

/// <summary>The persisted state of <see cref="DealPublisherGrain"/>.</summary>
[GenerateSerializer, Alias("granary.DealPublisherState")]
public sealed class DealPublisherState
{
    /// <summary>Deals waiting for a message, oldest first.</summary>
    [Id(0)] public List<QueuedPublish> Queue { get; set; } = new();

    /// <summary>Messages formed and not yet resolved, oldest first.</summary>
    [Id(1)] public List<PublishBatch> Batches { get; set; } = new();

    /// <summary>The latest outcomes (at most <see cref="DealPublisherGrain.MaxOutcomes"/>).</summary>
    [Id(2)] public List<PublishOutcome> Outcomes { get; set; } = new();

    /// <summary>Messages pushed so far.</summary>
    [Id(3)] public long MessagesSent { get; set; }
}
