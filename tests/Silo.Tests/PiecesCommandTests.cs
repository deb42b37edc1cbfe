using System.Text.Json;
using Granary.Libp2p.Multiaddrs;
using Granary.Silo.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Granary.Silo.Tests;

/// <summary>
/// <c>granary pieces list|info|reindex</c> on a real monolith (remote devnet process, SQLite): an offline deal's CAR is
/// imported, indexed on request, and after the block index table is dropped while the silo is stopped, the silo rebuilds it
/// at start-up in the background (progress in <c>pieces list</c> and the log) while it keeps taking deals.
/// </summary>
public sealed class PiecesCommandTests
{
    [Fact]
    public async Task Pieces_are_listed_reindexed_and_rebuilt_at_start_when_the_index_is_gone()
    {
        using var dir = new TempDirectory();
        await using var devnet = await DevnetProcess.StartAsync(Path.Combine(dir.Path, "devnet"));
        var repo = Path.Combine(dir.Path, "silo");
        var config = TestConfig.OnFreePorts(chain: $"""
            ApiInfo = "{devnet.ApiInfo}"
            [Dealmaking]
            StartEpochSealingBuffer = 20
            ExpectedSealDuration = "0s"
            """);
        config.WriteTo(repo);
        var miner = (await RepoCli.RunAsync(repo, "init", "--sector-size", "2KiB", "--from", devnet.Faucet)).Split('\n', StringSplitOptions.TrimEntries)
            .Single(l => l.StartsWith("t0", StringComparison.Ordinal));
        await using var client = await OfflineDealClient.CreateAsync(devnet, "granary pieces test client");
        var car = Path.Combine(dir.Path, "payload.car");
        var piece = (await OfflineDealClient.WriteCarAsync(car, 5, 2)).ToString();

        string peer;
        await using (var silo = GranaryProcess.Start(["run", "--repo", repo]))
        {
            await silo.WaitHealthyAsync(config.DashboardPort);
            peer = (await RepoCli.RunAsync(repo, "net", "id")).Trim();
            var (deal, response) = await client.ProposeAsync(Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{config.Libp2pPort}/p2p/{peer}"), miner, Granary.Filecoin.Cids.Cid.Parse(piece));
            Assert.True(response.Accepted, response.Message);
            Assert.Contains($"imported {new FileInfo(car).Length} bytes", await RepoCli.RunAsync(repo, "storage-deals", "import-data", deal.DealUuid.ToString(), car));

            var listed = JsonDocument.Parse(await RepoCli.RunAsync(repo, "pieces", "list", "--json")).RootElement;
            var entry = Assert.Single(listed.GetProperty("Pieces").EnumerateArray());
            Assert.Equal((piece, 2048L), (entry.GetProperty("PieceCid").GetString(), entry.GetProperty("PieceSize").GetInt64()));
            Assert.Equal(deal.DealUuid.ToString(), Assert.Single(entry.GetProperty("Deals").EnumerateArray()).GetProperty("DealUuid").GetString());
            Assert.Equal(car, entry.GetProperty("Staged").GetProperty("Path").GetString());

            Assert.Equal($"piece {piece} indexed: 5 blocks", (await RepoCli.RunAsync(repo, "pieces", "reindex", piece)).Trim());
            var info = await RepoCli.RunAsync(repo, "pieces", "info", piece);
            Assert.Contains("Index:         Indexed, 5 blocks recorded, 5 stored", info);
            Assert.Contains($"  {deal.DealUuid}  chain deal ", info);
            var table = await RepoCli.RunAsync(repo, "pieces", "list");
            Assert.Matches($@"{piece}\s+2048\s+1\s+\S+\s+Indexed\s+5", table);

            // Refusals: one line each.
            var (badCode, bad) = await GranaryProcess.RunAsync(["pieces", "info", "not-a-cid", "--repo", repo]);
            Assert.Equal((1, 1), (badCode, bad.Trim().Split('\n').Length));
            Assert.Contains("'not-a-cid' is not a piece CID", bad);
            var (truncCode, truncated) = await GranaryProcess.RunAsync(["pieces", "reindex", piece[..^6], "--repo", repo]);
            Assert.Equal(1, truncCode);
            Assert.Contains("is not a piece CID", truncated);
            var (longCode, oversized) = await GranaryProcess.RunAsync(["pieces", "info", piece + new string('a', 4000), "--repo", repo]);
            Assert.Equal(1, longCode);
            Assert.Contains("is not a piece CID", oversized);
            var unknown = (await OfflineDealClient.WriteCarAsync(Path.Combine(dir.Path, "other.car"), 2, 9)).ToString();
            var (missingCode, missing) = await GranaryProcess.RunAsync(["pieces", "reindex", unknown, "--repo", repo]);
            Assert.Equal((1, $"granary: Filecoin.PiecesReindex: the piece directory has no piece {unknown}"), (missingCode, missing.Trim()));

            await silo.TerminateAsync();
            Assert.True(silo.ExitCode == 0, silo.Output);
        }

        // The block index table is dropped while the silo is stopped.
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(repo, "granary.db")};Pooling=false"))
        {
            await db.OpenAsync();
            await using var drop = new SqliteCommand("DROP TABLE GranaryPieceBlocks", db);
            await drop.ExecuteNonQueryAsync();
        }

        await using (var silo = GranaryProcess.Start(["run", "--repo", repo]))
        {
            await silo.WaitHealthyAsync(config.DashboardPort);
            // Deal intake does not wait for the rebuild.
            var (_, second) = await client.ProposeAsync(Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{config.Libp2pPort}/p2p/{peer}"), miner,
                await OfflineDealClient.WriteCarAsync(Path.Combine(dir.Path, "second.car"), 2, 3));
            Assert.True(second.Accepted, second.Message);

            JsonElement listed;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            do
            {
                Assert.True(DateTime.UtcNow < deadline, $"the index was not rebuilt:\n{silo.Output}");
                listed = JsonDocument.Parse(await RepoCli.RunAsync(repo, "pieces", "list", "--json")).RootElement.Clone();
            }
            while (listed.GetProperty("Rebuild").GetProperty("State").GetString() is not ("done" or "failed"));

            var rebuild = listed.GetProperty("Rebuild");
            Assert.Equal(("done", 1, 1, 0), (rebuild.GetProperty("State").GetString(), rebuild.GetProperty("Pieces").GetInt32(), rebuild.GetProperty("Done").GetInt32(),
                rebuild.GetProperty("Failed").GetInt32()));
            var entry = Assert.Single(listed.GetProperty("Pieces").EnumerateArray(), p => p.GetProperty("PieceCid").GetString() == piece);
            Assert.Equal((5L, false), (entry.GetProperty("StoredBlocks").GetInt64(), entry.GetProperty("NeedsRebuild").GetBoolean()));
            Assert.Contains("have no block rows; rebuilding them in the background", silo.Output);
            Assert.Contains($"Piece index rebuild 1/1: {piece}: indexed", silo.Output);
            Assert.StartsWith("Index rebuild: done (1/1 rebuilt, 0 failed", await RepoCli.RunAsync(repo, "pieces", "list"));
            await silo.TerminateAsync();
            Assert.True(silo.ExitCode == 0, silo.Output);
        }
    }
}
