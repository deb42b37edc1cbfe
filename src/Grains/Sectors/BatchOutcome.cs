namespace Granary.Grains.Sectors;

/// <summary>What a batcher reports to a sector about the message that carried it.</summary>
/// <param name="Landed">True if the sector's part of the message succeeded (or the chain already had it).</param>
/// <param name="Message">The message CID, or null if the chain had the sector before this batcher sent anything.</param>
/// <param name="Height">The epoch the message landed in (0 if unknown).</param>
/// <param name="Error">Why it failed, when <paramref name="Landed"/> is false.</param>
[GenerateSerializer, Immutable, Alias("granary.BatchOutcome")]
public sealed record BatchOutcome(
    [property: Id(0)] bool Landed,
    [property: Id(1)] string? Message,
    [property: Id(2)] long Height,
    [property: Id(3)] string Error);

/// <summary>Where a batcher stands with one sector.</summary>
public enum BatchEntryState
{
    /// <summary>The batcher does not have it (never added, or already reported).</summary>
    Unknown,

    /// <summary>Waiting for the batch to fill or its wait to pass.</summary>
    Queued,

    /// <summary>In a message being sent.</summary>
    Sending,
}
