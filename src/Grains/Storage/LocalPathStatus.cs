namespace Granary.Grains.Storage;

/// <summary>A path attached on this silo: its <c>sectorstore.json</c>, its directory and its current capacity.</summary>
[GenerateSerializer, Immutable, Alias("granary.LocalPathStatus")]
public sealed record LocalPathStatus(
    [property: Id(0)] StoragePathConfig Config,
    [property: Id(1)] string Root,
    [property: Id(2)] FsStat Stat,
    [property: Id(3)] string? Error);
