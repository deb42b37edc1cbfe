namespace Granary.Grains.Deals;

/// <summary>One step of a deal's history: the checkpoint reached, when, and what happened.</summary>
/// <param name="Checkpoint">The checkpoint the deal is at after this step.</param>
/// <param name="At">When the step was persisted.</param>
/// <param name="Note">What happened (the error for a failure), or empty.</param>
/// <param name="Silo">The silo whose deal grain recorded it.</param>
[GenerateSerializer, Immutable, Alias("granary.DealHistoryEntry")]
public sealed record DealHistoryEntry(
    [property: Id(0)] DealCheckpoint Checkpoint,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Note,
    [property: Id(3)] string Silo);
