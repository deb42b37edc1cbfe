namespace Granary.Grains.Storage;

/// <summary>
/// The cluster-wide sector index (lotus's <c>SectorIndex</c>): every storage path of every silo, which sector
/// files each holds (unsealed, sealed, cache), each path's capacity from heartbeats, and where new files fit.
/// One instance, key <c>0</c>, on a silo with <c>EnableSectorStorage</c>; paths and declarations are persisted.
/// </summary>
[Alias("granary.ISectorIndexGrain")]
public interface ISectorIndexGrain : IGrainWithIntegerKey
{
    /// <summary>Records a path a silo attached, with the sector files on it (replacing earlier declarations).</summary>
    /// <exception cref="SectorStorageException">A live silo already attached a path with this ID elsewhere.</exception>
    [Alias("AttachPath")]
    Task AttachPath(StoragePathInfo path, FsStat stat, IReadOnlyList<SectorDeclaration> sectors);

    /// <summary>Forgets a path and its sector files.</summary>
    [Alias("DetachPath")]
    Task DetachPath(string pathId);

    /// <summary>A silo's heartbeat; returns the reported path IDs the index doesn't know, which the silo attaches again.</summary>
    [Alias("Heartbeat")]
    Task<IReadOnlyList<string>> Heartbeat(SiloStorageReport report);

    /// <summary>Declares sector files on a path (lotus's <c>StorageDeclareSector</c>).</summary>
    /// <exception cref="SectorStorageException">The path is not attached.</exception>
    [Alias("DeclareSector")]
    Task DeclareSector(string pathId, SectorId sector, SectorFileType fileType, bool primary);

    /// <summary>Drops sector files from a path (lotus's <c>StorageDropSector</c>).</summary>
    [Alias("DropSector")]
    Task DropSector(string pathId, SectorId sector, SectorFileType fileType);

    /// <summary>Where a sector file is, reachable and primary copies first (lotus's <c>StorageFindSector</c>).</summary>
    [Alias("FindSector")]
    Task<IReadOnlyList<SectorLocation>> FindSector(SectorId sector, SectorFileType fileType);

    /// <summary>
    /// Paths that can take <paramref name="size"/> bytes of <paramref name="fileType"/> for <paramref name="pathType"/>,
    /// best first (lotus's <c>StorageBestAlloc</c>); empty when none has room.
    /// </summary>
    [Alias("BestAllocation")]
    Task<IReadOnlyList<StoragePathStatus>> BestAllocation(SectorFileType fileType, PathType pathType, long size,
        ulong? miner = null, IReadOnlyList<string>? allowedGroups = null);

    /// <summary>Every path with its health and file counts.</summary>
    [Alias("ListPaths")]
    Task<IReadOnlyList<StoragePathStatus>> ListPaths();

    /// <summary>One path with its health (lotus's <c>StorageInfo</c>).</summary>
    /// <exception cref="SectorStorageException">Unknown path.</exception>
    [Alias("PathStatus")]
    Task<StoragePathStatus> PathStatus(string pathId);

    /// <summary>The sector files declared on a path.</summary>
    /// <exception cref="SectorStorageException">Unknown path.</exception>
    [Alias("ListSectors")]
    Task<IReadOnlyList<SectorDeclaration>> ListSectors(string pathId);

    /// <summary>A silo's storage agent from its latest heartbeat, or null.</summary>
    [Alias("Agent")]
    Task<IStorageAgent?> Agent(string silo);
}
