using System.Security.Cryptography;
using Granary.Filecoin.Car;
using Granary.Filecoin.Cids;
using Granary.Grains.Deals;
using Granary.Grains.Pieces;
using Granary.Grains.Storage;

namespace Granary.Gateway.Tests;

/// <summary>
/// An online deal from its HTTP pull to its sector's Proving, on a cluster with a markets, a mining and a sealing silo
/// (<see cref="DealFlowCluster"/> with sealing): published, handed to the miner's deal-sector planner, recorded in the
/// piece directory with its sector and block index, indexed, and followed through the sector's states; the staged copy
/// is deleted once the sector is past Packing.
/// </summary>
public sealed class DealFlowSealingTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("granary-deal-seal-").FullName;
    private DealFlowCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await DealFlowCluster.StartAsync(_directory, batchSize: 1, period: TimeSpan.FromSeconds(1), sealing: true);
        _cluster.StartTicking();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_pulled_deal_is_published_put_in_a_sector_indexed_and_followed_to_Proving_and_its_staging_goes()
    {
        await _cluster.AttachStorageAsync();
        var (car, blocks) = await CarAsync(3, 500);
        await using var server = await TransferTestServer.StartAsync(TransferTestServer.Bytes(car));
        var transfer = new DealTransferSpec("http", "", new HttpTransferRequest(server.Url("/deal.car").ToString(), null).ToJson(), (ulong)car.Length);
        var (uuid, _) = await _cluster.ProposeAsync(car, startIn: 20_000, transfer: transfer);

        var indexed = await _cluster.WaitForAsync(uuid, s => s.Summary.Checkpoint >= DealCheckpoint.IndexedAndAnnounced, "IndexedAndAnnounced",
            TimeSpan.FromSeconds(60));
        Assert.Equal("", indexed.Summary.Error);
        Assert.Equal(
            [DealCheckpoint.Accepted, DealCheckpoint.Transferred, DealCheckpoint.Published, DealCheckpoint.PublishConfirmed, DealCheckpoint.AddedPiece,
                DealCheckpoint.IndexedAndAnnounced],
            indexed.History.Select(h => h.Checkpoint).Distinct());
        Assert.Contains(indexed.History, h => h.Note.Contains("not announced to IPNI", StringComparison.Ordinal));
        var number = indexed.SectorNumber!.Value;

        // The piece directory: the deal with its chain id, the sector at offset 0, and every block of the CAR at its offset.
        var piece = (await _cluster.Grains.GetPiece(indexed.Summary.PieceCid).Info())!;
        var recorded = Assert.Single(piece.Deals);
        Assert.Equal((uuid, indexed.Summary.ChainDealId), (recorded.DealUuid, recorded.ChainDealId));
        var location = Assert.Single(piece.Sectors);
        Assert.Equal((number, 0L, 2048L), (location.Sector.Number, location.Offset, location.Length));
        Assert.Equal((PieceIndexState.Indexed, 3L), (piece.Index.State, piece.Index.Blocks));
        var found = new List<PieceBlock>();
        await foreach (var block in _cluster.Blocks.BlocksAsync(piece.PieceCid))
        {
            found.Add(block);
        }

        Assert.Equal(3, found.Count);
        foreach (var (cid, data) in blocks)
        {
            var block = Assert.Single(found, b => b.Multihash.AsSpan().SequenceEqual(cid.Hash.ToBytes()));
            Assert.Equal(data, car.AsSpan((int)block.Offset, (int)block.Length).ToArray());
        }

        // The sector seals (the 2 KiB piece fills it) and the deal follows it to Proving; the staged copy is gone by then.
        var proving = await _cluster.WaitForAsync(uuid, s => s.SealingStatus == "Proving", "its sector at Proving", TimeSpan.FromSeconds(120));
        Assert.Equal(number, proving.SectorNumber);
        var staged = Path.Combine(_cluster.StagingDirectory, $"{uuid:D}.car");
        var released = await _cluster.WaitForAsync(uuid, s => s.History.Any(h => h.Note.StartsWith("deleted the staged copy", StringComparison.Ordinal)),
            "its staging deleted");
        Assert.False(File.Exists(staged));
        Assert.Null((await _cluster.Grains.GetPiece(indexed.Summary.PieceCid).Info())!.Staging);
        Assert.Equal("", released.Summary.Error);
        var onChain = await _cluster.Devnet.StateMarketStorageDeal(indexed.Summary.ChainDealId, null);
        Assert.Equal(number, onChain.State.SectorNumber);
        Assert.True(onChain.State.SectorStartEpoch > 0);
    }

    [Fact]
    public async Task A_confirmed_deal_waiting_for_sealing_storage_resumes_after_a_restart_and_goes_into_one_sector()
    {
        var (car, _) = await CarAsync(2, 700);
        await using var server = await TransferTestServer.StartAsync(TransferTestServer.Bytes(car));
        var transfer = new DealTransferSpec("http", "", new HttpTransferRequest(server.Url("/deal.car").ToString(), null).ToJson(), (ulong)car.Length);
        var (uuid, _) = await _cluster.ProposeAsync(car, startIn: 20_000, transfer: transfer);

        // No sealing storage yet: the planner cannot open a sector, and the deal waits at PublishConfirmed saying why.
        var waiting = await _cluster.WaitForAsync(uuid, s => s.History.Any(h => h.Note.StartsWith("waiting for a sector: ", StringComparison.Ordinal)),
            "waiting for a sector");
        Assert.Equal((DealCheckpoint.PublishConfirmed, ""), (waiting.Summary.Checkpoint, waiting.Summary.Error));
        Assert.Contains("no sealing silo has a sealing storage path", waiting.History.Last().Note, StringComparison.Ordinal);

        await _cluster.RestartAsync();
        Assert.Equal(DealCheckpoint.PublishConfirmed, (await _cluster.StatusAsync(uuid))!.Summary.Checkpoint); // activates it: it resumes
        await _cluster.AttachStorageAsync();
        var indexed = await _cluster.WaitForAsync(uuid, s => s.Summary.Checkpoint >= DealCheckpoint.IndexedAndAnnounced, "IndexedAndAnnounced",
            TimeSpan.FromSeconds(60));

        Assert.Equal("", indexed.Summary.Error);
        Assert.Single(indexed.History, h => h.Checkpoint == DealCheckpoint.AddedPiece);
        var piece = (await _cluster.Grains.GetPiece(indexed.Summary.PieceCid).Info())!;
        Assert.Equal(indexed.SectorNumber, Assert.Single(piece.Sectors).Sector.Number);
        Assert.Equal(waiting.Summary.ChainDealId, indexed.Summary.ChainDealId);
        Assert.Single(_cluster.PublishPushes);
    }

    [Fact]
    public async Task An_imported_offline_deal_joins_the_same_flow_and_its_file_is_kept_after_sealing()
    {
        await _cluster.AttachStorageAsync();
        var (car, _) = await CarAsync(4, 400);
        var (uuid, _) = await _cluster.ProposeAsync(car, startIn: 20_000);
        await _cluster.ImportAsync(uuid, car);

        var done = await _cluster.WaitForAsync(uuid, s => s.History.Any(h => h.Note.StartsWith("the imported file", StringComparison.Ordinal)),
            "its sector past Packing", TimeSpan.FromSeconds(120));
        Assert.Equal("", done.Summary.Error);
        Assert.Equal(DealCheckpoint.IndexedAndAnnounced, done.Summary.Checkpoint);
        var imported = Path.Combine(_cluster.Directory, $"import-{uuid:N}.car");
        Assert.Contains($"the imported file {imported} is kept", done.History.Last().Note, StringComparison.Ordinal);
        Assert.Equal(car, await File.ReadAllBytesAsync(imported));
        Assert.Equal(4L, (await _cluster.Grains.GetPiece(done.Summary.PieceCid).Info())!.Index.Blocks);
    }

    // A CARv1 of `count` raw blocks of `size` random bytes; the blocks by CID.
    private static async Task<(byte[] Car, List<(Cid Cid, byte[] Data)> Blocks)> CarAsync(int count, int size)
    {
        var blocks = Enumerable.Range(0, count).Select(i =>
        {
            var data = TransferPullerTests.RandomData(size, 200 + i);
            return (new Cid(1, Cid.Raw, new Multihash(Multihash.Sha2_256, SHA256.HashData(data))), data);
        }).ToList();
        using var output = new MemoryStream();
        var writer = new CarWriter(output);
        await writer.WriteHeaderAsync([blocks[0].Item1]);
        foreach (var (cid, data) in blocks)
        {
            await writer.WriteBlockAsync(cid, data);
        }

        return (output.ToArray(), blocks);
    }
}
