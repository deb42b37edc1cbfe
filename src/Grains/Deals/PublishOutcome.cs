namespace Granary.Grains.Deals;

/// <summary>What a landed publish message meant for one deal (kept for a while, to answer a deal that asks again).</summary>
/// <param name="Deal">The deal UUID.</param>
/// <param name="Message">The message CID.</param>
/// <param name="ChainDealId">The deal id on chain; 0 when it was not published.</param>
/// <param name="Error">Why it was not published; empty when it was.</param>
/// <param name="Height">The epoch the message landed at.</param>
[GenerateSerializer, Immutable, Alias("granary.PublishOutcome")]
public sealed record PublishOutcome(
    [property: Id(0)] Guid Deal,
    [property: Id(1)] string Message,
    [property: Id(2)] ulong ChainDealId,
    [property: Id(3)] string Error,
    [property: Id(4)] long Height);
