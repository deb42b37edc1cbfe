using Granary.Filecoin.Cids;
using Granary.Filecoin.Pieces;

namespace Granary.Gateway.Transfer;

/// <summary>
/// <c>granary storage-deals import-data UUID FILE</c> for an offline deal (<c>IsOffline</c>): the file, on the machine of
/// the gateway that holds the deal, is checked like a transferred one — it must fit the proposal's piece, match the
/// transfer size when the deal states one, and have the proposal's CommP — and is then used in place, as Boost does
/// (it is not copied into staging, and it must not be deleted by the provider: it is the operator's file).
/// </summary>
public static class OfflineImport
{
    /// <summary>Checks <paramref name="path"/> for the deal; returns the absolute path and the CommP result.</summary>
    /// <param name="path">The file to import.</param>
    /// <param name="pieceCid">The proposal's piece CID.</param>
    /// <param name="pieceSize">The proposal's padded piece size.</param>
    /// <param name="expectedBytes">The deal's transfer size when it states one (Boost's offline deals usually don't: 0 or null).</param>
    /// <param name="threads">CommP threads (0: every core).</param>
    /// <param name="cancellationToken">Stops hashing.</param>
    /// <exception cref="TransferFailedException">Not retryable: a relative or missing path, a size or CommP mismatch.</exception>
    public static async Task<(string Path, CommP.Result CommP)> ImportDataAsync(string path, Cid pieceCid, long pieceSize, long? expectedBytes = null,
        int threads = 0, CancellationToken cancellationToken = default)
    {
        if (!System.IO.Path.IsPathFullyQualified(path))
        {
            throw new TransferFailedException($"'{path}' is not an absolute path (the file is read by the gateway silo)", retryable: false);
        }

        if (Directory.Exists(path) || !File.Exists(path))
        {
            throw new TransferFailedException($"{path} is not a file on this gateway's machine", retryable: false);
        }

        var result = await PieceDataCheck.VerifyAsync(path, pieceCid, pieceSize, expectedBytes is > 0 ? expectedBytes : null, threads,
            cancellationToken: cancellationToken);
        return (path, result);
    }
}
