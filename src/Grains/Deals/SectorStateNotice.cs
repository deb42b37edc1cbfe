namespace Granary.Grains.Deals;

/// <summary>
/// A sector holding a deal's piece changed state: sent by the sector to the deal (<see cref="IDealGrain.SectorChanged"/>).
/// </summary>
/// <param name="SectorNumber">The sector holding the piece.</param>
/// <param name="State">The sector's new state (lotus-miner's name, e.g. <c>PreCommit1</c>, <c>Proving</c>).</param>
/// <param name="At">When the sector entered the state.</param>
[GenerateSerializer, Immutable, Alias("granary.SectorStateNotice")]
public sealed record SectorStateNotice([property: Id(0)] ulong SectorNumber, [property: Id(1)] string State, [property: Id(2)] DateTimeOffset At);
