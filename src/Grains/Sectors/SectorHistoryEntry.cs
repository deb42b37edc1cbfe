namespace Granary.Grains.Sectors;

/// <summary>One entry of a sector's state history (lotus's <c>SectorLog</c>): the state entered, when, and why.</summary>
/// <param name="State">The state entered.</param>
/// <param name="Entered">When the transition was persisted.</param>
/// <param name="Note">What led to it (the error text for a <c>*Failed</c> state), or empty.</param>
/// <param name="Silo">The silo whose sector grain made the transition.</param>
[GenerateSerializer, Immutable, Alias("granary.SectorHistoryEntry")]
public sealed record SectorHistoryEntry(
    [property: Id(0)] SectorState State,
    [property: Id(1)] DateTimeOffset Entered,
    [property: Id(2)] string Note,
    [property: Id(3)] string Silo);
