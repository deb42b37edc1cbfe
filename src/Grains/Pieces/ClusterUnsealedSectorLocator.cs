using Granary.Grains.Placement;
using Granary.Grains.Storage;

namespace Granary.Grains.Pieces;

/// <summary>
/// Unsealed sector copies in the cluster: this silo's own file when it has one (a silo with local storage), else the
/// sector index's locations of the unsealed file, read over the holding silo's <c>/remote</c> endpoint with the fetch
/// token the index hands out. A copy that exists only sealed is not unsealed on demand here (the engine's Unseal
/// recomputes every layer, as slow as PreCommit1); such a piece reads as unavailable with that reason.
/// </summary>
/// <param name="localFile">This silo's file of a sector's type, e.g. <see cref="LocalStorage.LocalFile"/>; null without local storage.</param>
/// <param name="index">The sector index, or null where there is none (tests).</param>
/// <param name="http">For remote reads.</param>
public sealed class ClusterUnsealedSectorLocator(Func<SectorId, string?>? localFile, Func<ISectorIndexGrain>? index, HttpClient http)
    : IUnsealedSectorLocator
{
    /// <inheritdoc />
    public async Task<(IPaddedSource? Source, string Reason)> OpenAsync(PieceSectorLocation location, CancellationToken cancellationToken)
    {
        if (localFile?.Invoke(location.Sector) is { } path && File.Exists(path))
        {
            return (new LocalPaddedFile(path), "");
        }

        if (index is null)
        {
            return (null, $"no unsealed copy of {location.Sector} on this silo");
        }

        IReadOnlyList<SectorLocation> copies;
        try
        {
            copies = await index().FindSector(location.Sector, SectorFileType.Unsealed);
        }
        catch (SubsystemUnavailableException e)
        {
            return (null, $"the sector index is unavailable ({e.Message})");
        }

        var reachable = copies.Where(c => c.Available).ToList();
        if (reachable.Count == 0)
        {
            var sealedCopies = await index().FindSector(location.Sector, SectorFileType.Sealed);
            return (null, sealedCopies.Count > 0
                ? $"{location.Sector} has no unsealed copy (only sealed; unsealing on demand is not supported)"
                : $"{location.Sector} has no unsealed copy in the cluster{(copies.Count > 0 ? " that is reachable" : "")}");
        }

        var best = reachable[0];
        return (new RemotePaddedFile(http, best.Url, best.FetchToken, location.Offset, location.Offset + location.Length), "");
    }
}
