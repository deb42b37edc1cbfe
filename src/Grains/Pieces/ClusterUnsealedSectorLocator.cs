using Granary.Grains.Placement;
using Granary.Grains.Sealing;
using Granary.Grains.Storage;

namespace Granary.Grains.Pieces;

/// <summary>
/// Unsealed sector copies in the cluster: this silo's own file when it has one (a silo with local storage), else the
/// sector index's locations of the unsealed file, read over the holding silo's <c>/remote</c> endpoint with the fetch
/// token the index hands out. A sector that has only a sealed replica is unsealed on demand by its
/// <see cref="IUnsealGrain"/> on a sealing silo (one unseal however many readers ask), waited for up to
/// <paramref name="unsealTimeout"/>, then read from the new copy.
/// </summary>
/// <param name="localFile">This silo's file of a sector's type, e.g. <see cref="LocalStorage.LocalFile"/>; null without local storage.</param>
/// <param name="index">The sector index, or null where there is none (tests).</param>
/// <param name="http">For remote reads.</param>
/// <param name="unseal">The unseal grain of a sector; null: a sector with only a sealed copy reads as unavailable.</param>
/// <param name="unsealTimeout">How long one read waits for an unseal before it reports it as in progress.</param>
public sealed class ClusterUnsealedSectorLocator(Func<SectorId, string?>? localFile, Func<ISectorIndexGrain>? index, HttpClient http,
    Func<SectorId, IUnsealGrain>? unseal = null, TimeSpan? unsealTimeout = null)
    : IUnsealedSectorLocator
{
    /// <summary>The default of <c>[Retrieval] UnsealTimeout</c>.</summary>
    public static readonly TimeSpan DefaultUnsealTimeout = TimeSpan.FromMinutes(3);

    private readonly TimeSpan _unsealTimeout = unsealTimeout ?? DefaultUnsealTimeout;

    /// <inheritdoc />
    /// <exception cref="PieceUnsealingException">The sector's unseal still runs after the unseal timeout.</exception>
    public async Task<(IPaddedSource? Source, string Reason)> OpenAsync(PieceSectorLocation location, CancellationToken cancellationToken)
    {
        var (source, reason, hasSealed) = await FindAsync(location);
        if (source is not null || !hasSealed)
        {
            return (source, reason);
        }

        if (unseal is null)
        {
            return (null, $"{location.Sector} has no unsealed copy (only sealed, and this silo does not unseal on demand)");
        }

        var deadline = DateTimeOffset.UtcNow + _unsealTimeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var left = deadline - DateTimeOffset.UtcNow;
            UnsealStatus status;
            try
            {
                status = await unseal(location.Sector).Unseal(left > UnsealGrain.MaxWait ? UnsealGrain.MaxWait : left < TimeSpan.Zero ? TimeSpan.Zero : left);
            }
            catch (SubsystemUnavailableException e)
            {
                return (null, $"{location.Sector} has only a sealed copy and no sealing silo can unseal it ({e.Message})");
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                return (null, $"{location.Sector} has only a sealed copy and asking a sealing silo to unseal it failed ({e.Message})");
            }

            switch (status.State)
            {
                case UnsealState.Done:
                    var (copy, why, _) = await FindAsync(location);
                    return copy is not null ? (copy, "") : (null, $"{location.Sector} was unsealed ({status.Message}) but {why}");
                case UnsealState.Failed:
                    return (null, status.Message);
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new PieceUnsealingException(
                    $"{status.Message}; the retrieval waited {_unsealTimeout.TotalSeconds:0} s ([Retrieval] UnsealTimeout): retry later",
                    TimeSpan.FromSeconds(30));
            }
        }
    }

    private async Task<(IPaddedSource? Source, string Reason, bool HasSealed)> FindAsync(PieceSectorLocation location)
    {
        if (localFile?.Invoke(location.Sector) is { } path && File.Exists(path))
        {
            return (new LocalPaddedFile(path), "", false);
        }

        if (index is null)
        {
            return (null, $"no unsealed copy of {location.Sector} on this silo", false);
        }

        IReadOnlyList<SectorLocation> copies;
        IReadOnlyList<SectorLocation> sealedCopies;
        try
        {
            copies = await index().FindSector(location.Sector, SectorFileType.Unsealed);
            sealedCopies = copies.Any(c => c.Available) ? [] : await index().FindSector(location.Sector, SectorFileType.Sealed);
        }
        catch (SubsystemUnavailableException e)
        {
            return (null, $"the sector index is unavailable ({e.Message})", false);
        }

        var reachable = copies.Where(c => c.Available).ToList();
        if (reachable.Count == 0)
        {
            return sealedCopies.Count > 0
                ? (null, $"{location.Sector} has no unsealed copy (only sealed)", true)
                : (null, $"{location.Sector} has no unsealed copy in the cluster{(copies.Count > 0 ? " that is reachable" : "")} and no sealed replica to unseal", false);
        }

        var best = reachable[0];
        return (new RemotePaddedFile(http, best.Url, best.FetchToken, location.Offset, location.Offset + location.Length), "", false);
    }
}
