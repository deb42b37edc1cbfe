namespace Granary.Grains.Storage;

/// <summary>A storage path and its health, as the sector index last heard from the silo that attached it.</summary>
/// <param name="Info">The path.</param>
/// <param name="Stat">Capacity from the latest heartbeat; null until the first one.</param>
/// <param name="LastHeartbeat">When its silo last reported (null: not since the index started).</param>
/// <param name="Error">The silo's error reading the path, if any.</param>
/// <param name="Available">Whether the path may be used: its silo reported within the heartbeat timeout, without error.</param>
/// <param name="SectorFiles">How many sector files of each type the index lists on the path.</param>
[GenerateSerializer, Immutable, Alias("granary.StoragePathStatus")]
public sealed record StoragePathStatus(
    [property: Id(0)] StoragePathInfo Info,
    [property: Id(1)] FsStat? Stat,
    [property: Id(2)] DateTimeOffset? LastHeartbeat,
    [property: Id(3)] string? Error,
    [property: Id(4)] bool Available,
    [property: Id(5)] SectorFileCounts SectorFiles);

/// <summary>Counts of sector files by type.</summary>
[GenerateSerializer, Immutable, Alias("granary.SectorFileCounts")]
public sealed record SectorFileCounts(
    [property: Id(0)] int Unsealed,
    [property: Id(1)] int Sealed,
    [property: Id(2)] int Cache);
