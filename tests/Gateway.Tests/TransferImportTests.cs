using Granary.Filecoin.Pieces;
using Granary.Gateway.Transfer;

namespace Granary.Gateway.Tests;

/// <summary>Offline deal import: the operator's file is checked like a transfer (size, CommP) and used in place.</summary>
public sealed class TransferImportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("granary-import-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_matching_file_is_imported_in_place_with_its_commp()
    {
        var data = TransferPullerTests.RandomData(70_000, 31);
        var file = Path.Combine(_directory, "offline.car");
        await File.WriteAllBytesAsync(file, data);
        var natural = CommP.Compute(data);
        var pieceSize = natural.PaddedSize * 2;
        var pieceCid = PieceCid.V1(CommP.ZeroPad(natural.Commitment, natural.PaddedSize, pieceSize));

        var (path, commP) = await OfflineImport.ImportDataAsync(file, pieceCid, pieceSize);
        Assert.Equal(file, path);
        Assert.Equal(data.Length, commP.PayloadSize);
        Assert.True(File.Exists(file)); // the operator's file is not moved

        // A stated size must match too; 0 means none was stated.
        await OfflineImport.ImportDataAsync(file, pieceCid, pieceSize, data.Length);
        await OfflineImport.ImportDataAsync(file, pieceCid, pieceSize, 0);
        var size = await Assert.ThrowsAsync<TransferFailedException>(() => OfflineImport.ImportDataAsync(file, pieceCid, pieceSize, data.Length - 1));
        Assert.Contains($"has {data.Length} bytes but the deal's transfer size is {data.Length - 1}", size.Message);
    }

    [Fact]
    public async Task Wrong_data_missing_files_and_relative_paths_are_refused_with_the_reason()
    {
        var data = TransferPullerTests.RandomData(5_000, 32);
        var file = Path.Combine(_directory, "wrong.car");
        await File.WriteAllBytesAsync(file, data);
        var other = CommP.Compute(TransferPullerTests.RandomData(5_000, 33));

        var mismatch = await Assert.ThrowsAsync<TransferFailedException>(() => OfflineImport.ImportDataAsync(file, other.CidV1, other.PaddedSize));
        Assert.StartsWith("CommP mismatch", mismatch.Message);
        Assert.False(mismatch.Retryable);
        var missing = await Assert.ThrowsAsync<TransferFailedException>(() =>
            OfflineImport.ImportDataAsync(Path.Combine(_directory, "nope.car"), other.CidV1, other.PaddedSize));
        Assert.Contains("is not a file", missing.Message);
        var directory = await Assert.ThrowsAsync<TransferFailedException>(() => OfflineImport.ImportDataAsync(_directory, other.CidV1, other.PaddedSize));
        Assert.Contains("is not a file", directory.Message);
        var relative = await Assert.ThrowsAsync<TransferFailedException>(() => OfflineImport.ImportDataAsync("wrong.car", other.CidV1, other.PaddedSize));
        Assert.Contains("not an absolute path", relative.Message);
        var notPiece = await Assert.ThrowsAsync<TransferFailedException>(() =>
            OfflineImport.ImportDataAsync(file, Granary.Filecoin.Cids.Cid.Parse("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"), other.PaddedSize));
        Assert.Contains("not a v1 piece CID", notPiece.Message);
        var empty = Path.Combine(_directory, "empty.car");
        await File.WriteAllBytesAsync(empty, []);
        var nothing = await Assert.ThrowsAsync<TransferFailedException>(() => OfflineImport.ImportDataAsync(empty, other.CidV1, other.PaddedSize));
        Assert.Contains("do not fit", nothing.Message);
    }
}
