using System.Security.Cryptography;
using Granary.Filecoin.Car;
using Granary.Filecoin.Cids;
using Granary.Gateway.Retrieval;
using Granary.Grains.Deals;
using Granary.Grains.Pieces;
using Granary.Grains.Sealing;
using Granary.Grains.Sealing.Workers;
using Granary.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Gateway.Tests;

/// <summary>
/// Unsealing on demand for retrieval, for real: an online deal sealed to Proving on <see cref="DealFlowCluster"/> (markets,
/// mining and sealing silos, the real 2 KiB engine), its staged copy gone and its unsealed file deleted and dropped from the
/// sector index, then read over HTTP through the sealing silo's piece reader: the sector is unsealed from its sealed replica
/// on the sealing worker pool (one <c>Unseal</c> task however many requests ask), CommP-checked, declared, and served.
/// </summary>
public sealed class RetrievalUnsealTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("granary-unseal-").FullName;
    private DealFlowCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await DealFlowCluster.StartAsync(_directory, batchSize: 1, period: TimeSpan.FromSeconds(1), sealing: true);
        _cluster.StartTicking();
        await _cluster.AttachStorageAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_sector_with_only_its_sealed_replica_is_unsealed_once_for_concurrent_requests_and_serves_the_original_bytes()
    {
        var (car, blocks, piece) = await SealedDealAsync();
        var sector = Assert.Single(piece.Sectors).Sector;
        var storage = Storage;
        await storage.RemoveAsync(sector, SectorFileType.Unsealed);
        Assert.Empty(await Index.FindSector(sector, SectorFileType.Unsealed));
        Assert.NotEmpty(await Index.FindSector(sector, SectorFileType.Sealed));
        var expected = new byte[Filecoin.Pieces.PaddedPieceSize.Unpadded(2048)];
        car.CopyTo(expected, 0);

        // Two concurrent requests within the bound: both get the original piece bytes, from one unseal.
        await using var node = await ServeAsync(TimeSpan.FromSeconds(60));
        var reads = await Task.WhenAll(node.Http.GetAsync($"/piece/{piece.PieceCid}"), node.Http.GetAsync($"/piece/{piece.PieceCid}"));
        foreach (var read in reads)
        {
            using (read)
            {
                Assert.True(read.IsSuccessStatusCode, await read.Content.ReadAsStringAsync());
                Assert.Equal(expected, await read.Content.ReadAsByteArrayAsync());
            }
        }

        await UnsealsAsync(1, 0);
        var declared = Assert.Single(await Index.FindSector(sector, SectorFileType.Unsealed));
        Assert.Equal("Silo_2", declared.Silo);
        Assert.True(File.Exists(storage.LocalFile(sector, SectorFileType.Unsealed)));

        // The trustless gateway reads the blocks from the new copy too, without another unseal.
        foreach (var (cid, data) in blocks)
        {
            using var raw = await node.Http.GetAsync($"/ipfs/{cid}?format=raw");
            Assert.True(raw.IsSuccessStatusCode, await raw.Content.ReadAsStringAsync());
            Assert.Equal(data, await raw.Content.ReadAsByteArrayAsync());
        }

        await UnsealsAsync(1, 0);

        // The unsealed copy removed again: a retrieval that waits for no unseal at all says the unseal runs (503 with
        // Retry-After) and starts it; a patient one then gets the bytes from that second unseal.
        await storage.RemoveAsync(sector, SectorFileType.Unsealed);
        Assert.Empty(await Index.FindSector(sector, SectorFileType.Unsealed));
        await using (var impatient = await ServeAsync(TimeSpan.Zero))
        {
            using var busy = await impatient.Http.GetAsync($"/piece/{piece.PieceCid}");
            var text = await busy.Content.ReadAsStringAsync();
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, busy.StatusCode);
            Assert.NotNull(busy.Headers.RetryAfter);
            Assert.Contains($"unsealing {sector}", text, StringComparison.Ordinal);
            Assert.Contains("UnsealTimeout", text, StringComparison.Ordinal);
        }

        using (var again = await node.Http.GetAsync($"/piece/{piece.PieceCid}"))
        {
            Assert.True(again.IsSuccessStatusCode, await again.Content.ReadAsStringAsync());
            Assert.Equal(expected, await again.Content.ReadAsByteArrayAsync());
        }

        await UnsealsAsync(2, 0);

        // The same through the trustless gateway: 503 with Retry-After while the block's piece is unsealed, then the block.
        await storage.RemoveAsync(sector, SectorFileType.Unsealed);
        await using (var impatient = await ServeAsync(TimeSpan.Zero))
        {
            using var busy = await impatient.Http.GetAsync($"/ipfs/{blocks[1].Cid}?format=raw");
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, busy.StatusCode);
            Assert.NotNull(busy.Headers.RetryAfter);
            Assert.Contains($"block {blocks[1].Cid} is being unsealed: unsealing {sector}", await busy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var raw = await node.Http.GetAsync($"/ipfs/{blocks[1].Cid}?format=raw"))
        {
            Assert.True(raw.IsSuccessStatusCode, await raw.Content.ReadAsStringAsync());
            Assert.Equal(blocks[1].Data, await raw.Content.ReadAsByteArrayAsync());
        }

        await UnsealsAsync(3, 0);
    }

    [Fact]
    public async Task A_damaged_replica_fails_the_unseal_check_and_declares_nothing_and_no_sealed_copy_is_a_clear_not_found()
    {
        var (_, blocks, piece) = await SealedDealAsync();
        var sector = Assert.Single(piece.Sectors).Sector;
        var storage = Storage;
        await storage.RemoveAsync(sector, SectorFileType.Unsealed);
        var replica = storage.LocalFile(sector, SectorFileType.Sealed)!;
        var bytes = await File.ReadAllBytesAsync(replica);
        bytes[100] ^= 0x01; // one bit of one node (still a field element: the top bits of byte 31 stay clear)
        await File.WriteAllBytesAsync(replica, bytes);

        await using var node = await ServeAsync(TimeSpan.FromSeconds(60));
        using (var damaged = await node.Http.GetAsync($"/piece/{piece.PieceCid}"))
        {
            var text = await damaged.Content.ReadAsStringAsync();
            Assert.Equal(System.Net.HttpStatusCode.NotFound, damaged.StatusCode);
            Assert.Contains($"unsealing {sector} on Silo_2 failed", text, StringComparison.Ordinal);
            Assert.Contains("the sealed replica is damaged", text, StringComparison.Ordinal);
        }

        Assert.Empty(await Index.FindSector(sector, SectorFileType.Unsealed));
        Assert.Null(storage.LocalFile(sector, SectorFileType.Unsealed));
        Assert.DoesNotContain(Directory.EnumerateFiles(_directory, sector.Name, SearchOption.AllDirectories),
            f => Path.GetFileName(Path.GetDirectoryName(f)) == "unsealed");
        await UnsealsAsync(0, 1);

        // Without any sealed replica there is nothing to unseal: a clear not-found, for /piece and /ipfs.
        await storage.RemoveAsync(sector, SectorFileType.Sealed);
        using (var none = await node.Http.GetAsync($"/piece/{piece.PieceCid}"))
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, none.StatusCode);
            Assert.Contains($"{sector} has no unsealed copy in the cluster and no sealed replica to unseal", await none.Content.ReadAsStringAsync(),
                StringComparison.Ordinal);
        }

        using (var block = await node.Http.GetAsync($"/ipfs/{blocks[0].Cid}?format=raw"))
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, block.StatusCode);
            Assert.Contains("no sealed replica to unseal", await block.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    // The sealing pool's Unseal tasks completed and failed: polled briefly, since the pool counts a task just after its result
    // is handed back (the response can arrive first).
    private async Task UnsealsAsync(long completed, long failed)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var unseals = Pool.Snapshot("Silo_2", "").Totals.Single(t => t.Type == SealingTaskType.Unseal);
            if ((unseals.Completed, unseals.Failed) == (completed, failed) || DateTimeOffset.UtcNow > deadline)
            {
                Assert.Equal((completed, failed), (unseals.Completed, unseals.Failed));
                Assert.Equal((0, 0), (unseals.Running, unseals.Queued));
                return;
            }

            await Task.Delay(20);
        }
    }

    private IServiceProvider Sealing => _cluster.SiloServices("Silo_2");

    private LocalStorage Storage => Sealing.GetRequiredService<LocalStorage>();

    private SealingWorkerPool Pool => Sealing.GetRequiredService<SealingWorkerPool>();

    private ISectorIndexGrain Index => _cluster.Grains.GetGrain<ISectorIndexGrain>(0);

    // The retrieval endpoint over the sealing silo's services (it has the storage the new unsealed copy is written to),
    // its piece reader waiting up to `unsealTimeout` for an unseal.
    private async Task<Node> ServeAsync(TimeSpan unsealTimeout)
    {
        var grains = Sealing.GetRequiredService<IGrainFactory>();
        var storage = Storage;
        var http = new HttpClient();
        var reader = new PieceReader(new ClusterUnsealedSectorLocator(s => storage.LocalFile(s, SectorFileType.Unsealed),
            () => grains.GetGrain<ISectorIndexGrain>(0), http, s => grains.GetGrain<IUnsealGrain>(s.Name), unsealTimeout));
        var options = RetrievalOptions.Default;
        var blocks = Sealing.GetRequiredService<PieceBlockStore>();
        var endpoint = new RetrievalEndpoint(
            new PieceRetrievalHandler(grains, reader, NullLogger<PieceRetrievalHandler>.Instance),
            new TrustlessGatewayHandler(grains, blocks, reader, options, NullLogger<TrustlessGatewayHandler>.Instance),
            options);
        var server = await TransferTestServer.StartAsync(endpoint.HandleAsync);
        return new Node(server, new HttpClient { BaseAddress = server.Url("/") }, http);
    }

    // An online deal pulled over HTTP, sealed to Proving, indexed, and its staged copy deleted: the sector is the only copy.
    private async Task<(byte[] Car, List<(Cid Cid, byte[] Data)> Blocks, PieceRecord Piece)> SealedDealAsync()
    {
        var (car, blocks) = await CarAsync(3, 500);
        await using var server = await TransferTestServer.StartAsync(TransferTestServer.Bytes(car));
        var transfer = new DealTransferSpec("http", "", new HttpTransferRequest(server.Url("/deal.car").ToString(), null).ToJson(), (ulong)car.Length);
        var (uuid, _) = await _cluster.ProposeAsync(car, startIn: 20_000, transfer: transfer);
        await _cluster.WaitForAsync(uuid, s => s.SealingStatus == "Proving", "its sector at Proving", TimeSpan.FromSeconds(120));
        var released = await _cluster.WaitForAsync(uuid, s => s.History.Any(h => h.Note.StartsWith("deleted the staged copy", StringComparison.Ordinal)),
            "its staging deleted");
        var piece = (await _cluster.Grains.GetPiece(released.Summary.PieceCid).Info())!;
        Assert.Null(piece.Staging);
        Assert.Equal(PieceIndexState.Indexed, piece.Index.State);
        return (car, blocks, piece);
    }

    private static async Task<(byte[] Car, List<(Cid Cid, byte[] Data)> Blocks)> CarAsync(int count, int size)
    {
        var blocks = Enumerable.Range(0, count).Select(i =>
        {
            var data = TransferPullerTests.RandomData(size, 300 + i);
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

    private sealed class Node(TransferTestServer server, HttpClient client, HttpClient remote) : IAsyncDisposable
    {
        public HttpClient Http { get; } = client;

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            remote.Dispose();
            await server.DisposeAsync();
        }
    }
}
