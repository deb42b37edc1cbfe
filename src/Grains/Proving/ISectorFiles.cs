using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Proofs.Seal;

namespace Granary.Grains.Proving;

/// <summary>Finds a sector's sealed replica and cache on this silo, fetching them from another silo if need be.</summary>
public interface ISectorFiles
{
    /// <summary>The sector's files here (the unsealed path is empty: proving never reads it).</summary>
    /// <exception cref="SectorFilesUnavailableException">Not here and not fetchable, with why.</exception>
    Task<SectorPaths> LocateAsync(SectorId sector, SealProofType type, CancellationToken cancellationToken);
}

/// <summary>A sector's files could not be found or fetched.</summary>
public sealed class SectorFilesUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
