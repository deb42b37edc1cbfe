using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Proofs.Seal;

namespace Granary.Grains.Proving;

/// <summary>
/// A sector's files through the silo's <see cref="LocalStorage"/>: the copies on this silo's paths, else fetched
/// from the silo the sector index lists (into a long-term storage path here, declared as a copy).
/// </summary>
public sealed class LocalSectorFiles(LocalStorage? storage, string silo) : ISectorFiles
{
    /// <inheritdoc />
    public async Task<SectorPaths> LocateAsync(SectorId sector, SealProofType type, CancellationToken cancellationToken)
    {
        if (storage is null)
        {
            throw new SectorFilesUnavailableException($"silo {silo} has no sector storage to read {sector} from");
        }

        var missing = SectorFileType.None;
        foreach (var kind in new[] { SectorFileType.Sealed, SectorFileType.Cache })
        {
            if (storage.LocalFile(sector, kind) is null)
            {
                missing |= kind;
            }
        }

        if (missing != SectorFileType.None)
        {
            try
            {
                await storage.FetchAsync(sector, missing, PathType.Storage, SectorSpace.Finalized(type), cancellationToken);
            }
            catch (SectorStorageException e)
            {
                throw new SectorFilesUnavailableException($"the {missing.Describe()} file(s) of {sector} are not on silo {silo}: {e.Message}", e);
            }
        }

        var sealedFile = storage.LocalFile(sector, SectorFileType.Sealed);
        var cache = storage.LocalFile(sector, SectorFileType.Cache);
        return sealedFile is not null && cache is not null
            ? new SectorPaths("", sealedFile, cache)
            : throw new SectorFilesUnavailableException($"the files of {sector} disappeared from silo {silo} while they were fetched");
    }
}
