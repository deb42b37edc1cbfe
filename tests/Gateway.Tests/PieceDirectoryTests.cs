using System.Security.Cryptography;
using Granary.Filecoin.Car;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Pieces;
using Granary.Grains.Pieces;
using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Proofs.Seal;

namespace Granary.Gateway.Tests;

/// <summary>
/// The piece directory on a markets silo with real SQLite: a CAR written by @ipld/car indexed with every block's range
/// checked by re-reading it, a CARv2, sector locations, reading and re-indexing from the unsealed copy, and everything
/// still there after a restart.
/// </summary>
public sealed class PieceDirectoryTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("granary-pieces-").FullName;
    private PieceTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await PieceTestCluster.StartAsync(_directory);

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_car_written_by_ipld_car_is_indexed_and_each_blocks_range_reads_back_its_bytes_even_after_a_restart()
    {
        var car = Path.Combine(_directory, "deal.car");
        var written = PieceTestFiles.Node("car.mjs", "write", car, "300");
        var cids = written.GetProperty("blocks").EnumerateArray().Select(b => Cid.Parse(b.GetString()!)).ToList();
        var payload = await File.ReadAllBytesAsync(car);
        var commP = CommP.Compute(payload);
        var key = commP.CidV1.ToString();
        var piece = _cluster.Grains.GetPiece(key);
        var deal = new PieceDeal(Guid.NewGuid(), 0, 1000, false, DateTimeOffset.UtcNow);
        await piece.AddDeal(deal, commP.PaddedSize, payload.Length);
        await piece.SetStaging(new PieceStaging("Silo_0", car));

        var summary = await piece.IndexPiece();

        Assert.Equal(PieceIndexState.Indexed, summary.State);
        Assert.Equal(300, summary.Blocks);
        Assert.Equal(1, summary.CarVersion);
        Assert.Equal([written.GetProperty("roots")[0].GetString()!], summary.Roots);
        await AssertEveryBlockReadsBack(key, cids, payload);

        var ordered = await _cluster.Blocks.BlocksAsync(key).ToListAsync();
        Assert.Equal(cids.Select(c => Convert.ToHexString(c.Hash.ToBytes())), ordered.Select(b => Convert.ToHexString(b.Multihash)));
        Assert.True(ordered.Zip(ordered.Skip(1)).All(p => p.First.Offset + p.First.Length < p.Second.Offset));
        // Indexing again without force keeps the index as it is.
        AssertSame(summary, await piece.IndexPiece());

        await _cluster.RestartAsync();
        var after = await _cluster.Grains.GetPiece(key).Info();
        Assert.NotNull(after);
        Assert.Equal(commP.PaddedSize, after.PieceSize);
        Assert.Equal(payload.Length, after.PayloadSize);
        Assert.Equal(deal.DealUuid, Assert.Single(after.Deals).DealUuid);
        Assert.Equal(car, after.Staging!.Path);
        AssertSame(summary, after.Index);
        await AssertEveryBlockReadsBack(key, cids, payload);
    }

    [Fact]
    public async Task A_carv2_is_indexed_with_ranges_relative_to_the_whole_payload()
    {
        var file = PieceTestFiles.Vector("car/sample-wrapped-v2.car");
        var payload = await File.ReadAllBytesAsync(file);
        var entries = new List<PieceBlock>();
        var result = await CarPayloadIndexer.IndexAsync(new MemoryStream(payload), payload.Length, batch =>
        {
            entries.AddRange(batch);
            return Task.CompletedTask;
        }, batchSize: 7);

        Assert.Equal(2, result.Version);
        await using var stream = File.OpenRead(file);
        var reader = await CarReader.OpenAsync(stream);
        var blocks = await reader.ReadBlocksAsync().ToListAsync();
        Assert.Equal(blocks.Count, entries.Count);
        Assert.Equal(blocks.Count, result.Blocks);
        for (var i = 0; i < blocks.Count; i++)
        {
            Assert.Equal(blocks[i].Cid.Hash.ToBytes(), entries[i].Multihash);
            Assert.Equal(blocks[i].Cid.Codec, entries[i].Codec);
            Assert.True(payload.AsSpan((int)entries[i].Offset, (int)entries[i].Length).SequenceEqual(blocks[i].Data.Span), $"block {i}");
        }
    }

    [Fact]
    public async Task A_piece_placed_in_a_sector_is_read_and_reindexed_from_the_unsealed_copy_once_staging_is_gone()
    {
        var car = Path.Combine(_directory, "sealed.car");
        var written = PieceTestFiles.Node("car.mjs", "write", car, "120");
        var cids = written.GetProperty("blocks").EnumerateArray().Select(b => Cid.Parse(b.GetString()!)).ToList();
        var payload = await File.ReadAllBytesAsync(car);
        var commP = CommP.Compute(payload);
        var pieceSize = commP.PaddedSize * 2; // a deal's piece may be larger than its data
        var key = PieceCid.V1(CommP.ZeroPad(commP.Commitment, commP.PaddedSize, pieceSize)).ToString();
        var sector = new SectorId(1000, 7);
        var unsealed = Path.Combine(_directory, sector.Name);
        var type = SealProofType.Sector8MiB;
        var filler = await PieceWriter.AddPieceAsync(type, unsealed, [], new MemoryStream(new byte[100]), 128);
        await using (var data = File.OpenRead(car))
        {
            var added = await PieceWriter.AddPieceAsync(type, unsealed, [filler.Piece], data, pieceSize);
            Assert.Equal(key, PieceCid.V1(added.Piece.Commitment).ToString());
            _cluster.UnsealedFiles[sector] = unsealed;
            var piece = _cluster.Grains.GetPiece(key);
            await piece.AddDeal(new PieceDeal(Guid.NewGuid(), 17, 1000, false, DateTimeOffset.UtcNow), pieceSize, payload.Length);

            var misaligned = await Assert.ThrowsAsync<ArgumentException>(() => piece.AddSectorLocation(sector, added.Offset + 128, pieceSize));
            Assert.Contains("not a piece placement", misaligned.Message);
            var wrongSize = await Assert.ThrowsAsync<ArgumentException>(() => piece.AddSectorLocation(sector, 0, pieceSize * 2));
            Assert.Contains($"is {pieceSize} padded bytes", wrongSize.Message);
            await piece.AddSectorLocation(sector, added.Offset, pieceSize);
            await piece.AddSectorLocation(sector, added.Offset, pieceSize); // idempotent
        }

        var record = await _cluster.Grains.GetPiece(key).Info();
        var location = Assert.Single(record!.Sectors);
        Assert.Equal(new PieceSectorLocation(sector, pieceSize, pieceSize), location);
        Assert.Null(record.Staging);

        await using (var content = await _cluster.Reader.OpenAsync(record))
        {
            Assert.Equal(unsealed, content.Source);
            var bytes = new byte[content.Stream.Length];
            await content.Stream.ReadExactlyAsync(bytes);
            Assert.Equal(PaddedPieceSize.Unpadded(pieceSize), bytes.Length);
            Assert.True(bytes.AsSpan(0, payload.Length).SequenceEqual(payload));
            Assert.True(bytes.AsSpan(payload.Length).IndexOfAnyExcept((byte)0) < 0);
        }

        var summary = await _cluster.Grains.GetPiece(key).IndexPiece(force: true);
        Assert.Equal(PieceIndexState.Indexed, summary.State);
        Assert.Equal(120, summary.Blocks);
        await AssertEveryBlockReadsBack(key, cids, payload);

        await _cluster.Grains.GetPiece(key).RemoveSectorLocation(sector);
        var gone = await Assert.ThrowsAsync<PieceUnavailableException>(() => _cluster.Grains.GetPiece(key).IndexPiece(force: true));
        Assert.Contains("neither staged nor placed in a sector", gone.Message);
        Assert.Equal(PieceIndexState.Failed, (await _cluster.Grains.GetPiece(key).Info())!.Index.State);
    }

    [Fact]
    public async Task A_payload_that_is_not_a_car_fails_indexing_with_the_reason_and_bad_inputs_are_refused()
    {
        var file = Path.Combine(_directory, "random.bin");
        var payload = TransferPullerTests.RandomData(5000, 9);
        await File.WriteAllBytesAsync(file, payload);
        var commP = CommP.Compute(payload);
        var piece = _cluster.Grains.GetPiece(commP.CidV1.ToString());
        Assert.Null(await piece.Info());
        await Assert.ThrowsAsync<InvalidOperationException>(() => piece.IndexPiece());

        var tooBig = await Assert.ThrowsAsync<ArgumentException>(() => piece.AddDeal(new PieceDeal(Guid.NewGuid(), 0, 1000, false, DateTimeOffset.UtcNow), 128, 5000));
        Assert.Contains("does not fit", tooBig.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => piece.AddDeal(new PieceDeal(Guid.NewGuid(), 0, 1000, false, DateTimeOffset.UtcNow), 1000, 10));
        await Assert.ThrowsAsync<ArgumentException>(() => piece.SetStaging(new PieceStaging("Silo_0", "relative/path.car")));
        await piece.AddDeal(new PieceDeal(Guid.NewGuid(), 0, 1000, false, DateTimeOffset.UtcNow), commP.PaddedSize, payload.Length);
        await piece.SetStaging(new PieceStaging("Silo_0", file));

        var summary = await piece.IndexPiece();
        Assert.Equal(PieceIndexState.Failed, summary.State);
        Assert.StartsWith("the payload is not a CAR", summary.Error);
        Assert.Equal(0, await _cluster.Blocks.CountAsync(commP.CidV1.ToString()));

        var key = await Assert.ThrowsAsync<ArgumentException>(() => _cluster.Grains.GetGrain<IPieceDirectoryGrain>("bafkqaaa").Info());
        Assert.Contains("not a v1 piece CID", key.Message);
    }

    private static void AssertSame(PieceIndexSummary expected, PieceIndexSummary actual)
    {
        Assert.Equal(expected.State, actual.State);
        Assert.Equal(expected.Blocks, actual.Blocks);
        Assert.Equal(expected.Roots, actual.Roots);
        Assert.Equal(expected.CarVersion, actual.CarVersion);
        Assert.Equal(expected.At.UtcTicks / TimeSpan.TicksPerMillisecond, actual.At.UtcTicks / TimeSpan.TicksPerMillisecond);
    }

    private async Task AssertEveryBlockReadsBack(string pieceCid, List<Cid> cids, byte[] payload)
    {
        foreach (var cid in cids)
        {
            var location = Assert.Single(await _cluster.Blocks.FindAsync(cid.Hash.ToBytes()));
            Assert.Equal(pieceCid, location.PieceCid);
            Assert.Equal(cid.Codec, location.Codec);
            Assert.Equal(cid.Hash.Digest, SHA256.HashData(payload.AsSpan((int)location.Offset, (int)location.Length)));
            Assert.Equal(location.Offset, (await _cluster.Blocks.FindInPieceAsync(pieceCid, cid.Hash.ToBytes()))!.Offset);
        }
    }
}
