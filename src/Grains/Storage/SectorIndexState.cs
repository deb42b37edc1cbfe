namespace Granary.Grains.Storage;

/// <summary>
/// The persisted state of <see cref="ISectorIndexGrain"/>: every attached storage path and the sector files
/// declared on it. Capacity figures, heartbeat times, agents and fetch tokens are not persisted: silos report
/// them every heartbeat.
/// </summary>
[GenerateSerializer, Alias("granary.SectorIndexState")]
public sealed class SectorIndexState
{
    /// <summary>The paths, each with its declared sector files.</summary>
    [Id(0)] public List<IndexedPath> Paths { get; set; } = [];
}

/// <summary>One attached path in the index's state.</summary>
[GenerateSerializer, Alias("granary.IndexedPath")]
public sealed class IndexedPath
{
    /// <summary>The path.</summary>
    [Id(0)] public required StoragePathInfo Info { get; set; }

    /// <summary>The sector files declared on it.</summary>
    [Id(1)] public List<SectorDeclaration> Sectors { get; set; } = [];
}
