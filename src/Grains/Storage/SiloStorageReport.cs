namespace Granary.Grains.Storage;

/// <summary>
/// A silo's heartbeat to the sector index: the health of each storage path it has attached, plus how other
/// silos reach it (its storage agent for moves, its fetch token for <c>/remote</c>). The index keeps the agent
/// and token in memory only, so tokens never reach the cluster database.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.SiloStorageReport")]
public sealed record SiloStorageReport(
    [property: Id(0)] string Silo,
    [property: Id(1)] IReadOnlyList<PathHealth> Paths,
    [property: Id(2)] string? FetchToken,
    [property: Id(3)] IStorageAgent? Agent);

/// <summary>One path's health in a heartbeat: its capacity figures, or the error reading them.</summary>
[GenerateSerializer, Immutable, Alias("granary.PathHealth")]
public sealed record PathHealth(
    [property: Id(0)] string PathId,
    [property: Id(1)] FsStat Stat,
    [property: Id(2)] string? Error);
