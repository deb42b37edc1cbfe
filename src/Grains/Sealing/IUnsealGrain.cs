using Orleans.Concurrency;

namespace Granary.Grains.Sealing;

/// <summary>
/// Unseals one sector on demand (lotus's <c>SectorsUnsealPiece</c>), keyed by the sector's name (<c>s-t01000-5</c>): on a
/// sealing silo's worker pool as an <c>Unseal</c> task, from the sealed replica (fetched from its holder if it is not on
/// that silo), into an unsealed file on a storage path of that silo, each piece's CommP checked before the file is declared
/// in the sector index. Concurrent callers share one unseal.
/// </summary>
[Alias("granary.IUnsealGrain")]
public interface IUnsealGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the unseal unless one runs or an unsealed copy is already on the grain's silo, then waits up to
    /// <paramref name="wait"/> (at most <see cref="UnsealGrain.MaxWait"/>, to stay inside the grain call timeout) for it.
    /// </summary>
    [Alias("Unseal"), AlwaysInterleave]
    Task<UnsealStatus> Unseal(TimeSpan wait);
}
