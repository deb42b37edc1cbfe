using Granary.Filecoin;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Pieces;

namespace Granary.Gateway.Transfer;

/// <summary>
/// Checks that staged data is the deal's piece: its size (when the deal states one), then its CommP, zero-padded from
/// the data's own piece size to the proposal's <c>PieceSize</c> (a deal's piece may be larger than its data), against
/// the proposal's <c>PieceCID</c>. Every mismatch is terminal and says both values.
/// </summary>
public static class PieceDataCheck
{
    /// <summary>Verifies <paramref name="path"/> against the proposal; returns its CommP result.</summary>
    /// <param name="path">The staged file.</param>
    /// <param name="pieceCid">The proposal's piece CID (v1).</param>
    /// <param name="pieceSize">The proposal's padded piece size.</param>
    /// <param name="expectedBytes">The transfer size, or null (an offline import has none).</param>
    /// <param name="threads">CommP threads (0: every core).</param>
    /// <param name="progress">Bytes hashed so far.</param>
    /// <exception cref="TransferFailedException">Not retryable: the size or CommP differs, or the file is missing.</exception>
    public static async Task<CommP.Result> VerifyAsync(string path, Cid pieceCid, long pieceSize, long? expectedBytes, int threads = 0,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        byte[] expected;
        try
        {
            expected = PieceCid.CommitmentOf(pieceCid);
        }
        catch (FilecoinFormatException e)
        {
            throw new TransferFailedException($"the proposal's piece CID is not a v1 piece CID: {e.Message}", retryable: false);
        }

        if (!PaddedPieceSize.IsValid(pieceSize))
        {
            throw new TransferFailedException($"the proposal's piece size {pieceSize} is not a padded piece size", retryable: false);
        }

        if (!File.Exists(path))
        {
            throw new TransferFailedException($"{path} does not exist", retryable: false);
        }

        var length = new FileInfo(path).Length;
        if (expectedBytes is { } want && length != want)
        {
            throw new TransferFailedException($"{path} has {length} bytes but the deal's transfer size is {want}", retryable: false);
        }

        if (length == 0 || length > PaddedPieceSize.Unpadded(pieceSize))
        {
            throw new TransferFailedException(
                $"{length} bytes of data do not fit the proposal's {pieceSize}-byte piece (1..{PaddedPieceSize.Unpadded(pieceSize)} bytes)", retryable: false);
        }

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var result = await CommP.ComputeAsync(file, threads > 0 ? threads : null, progress, cancellationToken);
        var actual = CommP.ZeroPad(result.Commitment, result.PaddedSize, pieceSize);
        if (!actual.AsSpan().SequenceEqual(expected))
        {
            throw new TransferFailedException(
                $"CommP mismatch: the data's piece CID is {PieceCid.V1(actual)} (as a {pieceSize}-byte piece) but the proposal says {pieceCid}", retryable: false);
        }

        return result;
    }
}
