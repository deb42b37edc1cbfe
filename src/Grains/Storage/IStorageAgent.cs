namespace Granary.Grains.Storage;

/// <summary>
/// A silo's local storage as other silos see it (an Orleans grain observer published in the silo's heartbeat).
/// Moving a finalized sector to long-term storage on another silo asks that silo's agent to fetch it.
/// </summary>
[Alias("granary.IStorageAgent")]
public interface IStorageAgent : IGrainObserver
{
    /// <summary>
    /// Fetches the sector's <paramref name="types"/> files from wherever the index lists them into this silo's
    /// paths of <paramref name="pathType"/>, reserving <paramref name="space"/>, and declares them. Returns the
    /// IDs of the paths that now hold them. A transfer can take long, hence the long timeout.
    /// </summary>
    [Alias("Fetch"), ResponseTimeout("06:00:00")]
    Task<IReadOnlyList<string>> Fetch(SectorId sector, SectorFileType types, PathType pathType, SectorSpace space);

    /// <summary>Deletes the sector's <paramref name="types"/> files from this silo's paths and drops their declarations.</summary>
    [Alias("Remove")]
    Task Remove(SectorId sector, SectorFileType types);
}
