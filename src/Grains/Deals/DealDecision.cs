namespace Granary.Grains.Deals;

/// <summary>The answer to a proposal: Boost's <c>DealResponse</c>.</summary>
/// <param name="Accepted">Whether the deal was taken (and recorded).</param>
/// <param name="Message">Why it was refused; empty when accepted.</param>
[GenerateSerializer, Immutable, Alias("granary.DealDecision")]
public sealed record DealDecision(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] string Message)
{
    /// <summary>Accepted.</summary>
    public static DealDecision Accept { get; } = new(true, "");

    /// <summary>Refused, with the reason.</summary>
    public static DealDecision Refuse(string reason) => new(false, reason);
}
