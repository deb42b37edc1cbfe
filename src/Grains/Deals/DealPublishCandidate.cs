namespace Granary.Grains.Deals;

/// <summary>What the publisher needs of a deal (<see cref="IDealGrain.GetPublishCandidate"/>).</summary>
/// <param name="Deal">The deal UUID.</param>
/// <param name="Checkpoint">Where the deal is (only <see cref="DealCheckpoint.Transferred"/> deals are put in a new message).</param>
/// <param name="ClientDealProposal">The CBOR of the client's signed proposal, as received.</param>
/// <param name="PublishCid">The publish message the deal was told about; empty if none.</param>
[GenerateSerializer, Immutable, Alias("granary.DealPublishCandidate")]
public sealed record DealPublishCandidate(
    [property: Id(0)] Guid Deal,
    [property: Id(1)] DealCheckpoint Checkpoint,
    [property: Id(2)] byte[] ClientDealProposal,
    [property: Id(3)] string PublishCid);
