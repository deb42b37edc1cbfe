using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Rpc;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Libp2p.Peers;
using Granary.Silo.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Granary.Silo.Tests;

/// <summary>
/// Issue #9's whole procedure end to end, as docs/operations.md gives it, with real processes on one PostgreSQL database and a
/// <c>granary devnet run</c> chain (1 s blocks): a monolith with a pledged sector in Proving and a <c>granary client deal</c>
/// in a sector → <c>granary backup</c> → <c>granary init service --type=markets</c> → split (miner without markets, gateway
/// with only markets) → a new client deal through the gateway, sealed on the miner side → the gateway stopped and started
/// again around the opening of the proven sector's WindowPoSt deadline, whose PoSt still lands in its window exactly once
/// (read from the devnet's own message table) → <c>market export-datastore</c>/<c>import-datastore</c> and rollback to a
/// monolith → every deal and sector still there, none regressed, the on-chain peer id the serving silo's <c>net id</c>.
/// </summary>
/// <remarks>
/// The devnet's proving period is 48 deadlines of 10 epochs, and a miner's first sectors go to deadline 0, which opens at
/// the miner's pseudo-random proving period offset (Filecoin's, from the miner address and its creation epoch). So that the
/// test does not wait out up to 480 epochs, it creates a few miners at once and keeps one whose deadline 0 opens after the
/// split is in place; the others stay unused on the devnet.
/// </remarks>
public sealed class SplitProcedureTests(ITestOutputHelper log)
{
    private const string MarketsOnly = "EnableMining = false\nEnableSealing = false\nEnableSectorStorage = false\nEnableMarkets = true";
    private const string Price = "100000000"; // attoFIL/GiB/epoch, twice the default ask

    // Epochs from the miner's creation to its first deadline 0: the steps before the restart take about MinLead epochs.
    private const long MinLead = 100;
    private const long MaxLead = 200;

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    // Deal and sector states in pipeline order, to check that none goes backwards.
    private static readonly string[] DealOrder = ["Accepted", "Transferred", "Published", "PublishConfirmed", "AddedPiece", "IndexedAndAnnounced", "Complete"];

    [Fact]
    public async Task Monolith_with_deals_and_proving_sectors_splits_takes_deals_through_the_gateway_proves_across_a_gateway_restart_and_rolls_back()
    {
        var watch = Stopwatch.StartNew();
        using var dir = new TempDirectory();
        await using var devnet = await DevnetProcess.StartAsync(Path.Combine(dir.Path, "devnet"));
        var database = await PostgresServer.CreateDatabaseAsync();
        using var chain = ChainRpcClient.FromApiInfo(devnet.ApiInfo);
        var chainLines = $"""
            ApiInfo = "{devnet.ApiInfo}"
            [Sealing]
            PreCommitBatchWait = "1s"
            CommitBatchWait = "1s"
            RetryBackoff = "1s"
            [Dealmaking]
            AllowPrivateTransferUrls = true
            StartEpochSealingBuffer = 20
            ExpectedSealDuration = "0s"
            PublishMsgPeriod = "1s"
            """;
        var client = new Dictionary<string, string?> { ["FULLNODE_API_INFO"] = devnet.ApiInfo, ["GRANARY_CLIENT_PATH"] = Path.Combine(dir.Path, "client") };

        // The miner, chosen among a few created at once for where its proving period starts.
        var (minerRepo, monolith, miner, created) = await CreateMinerAsync(dir.Path, database, chainLines, chain, devnet.Faucet);
        var minerAddress = Address.Parse(miner);
        Mark(watch, $"miner {miner} created at epoch {created}");

        // 1. The monolith: a pledged sector to Proving and a client deal into a sector.
        var gatewayRepo = Path.Combine(dir.Path, "gateway");
        var gateway = TestConfig.OnFreePorts(database, MarketsOnly, chainLines);
        var before = new Snapshot([], []);
        var monolithSilo = GranaryProcess.Start(["run", "--repo", minerRepo]);
        string backup;
        PeerId gatewayPeer;
        int exit;
        string output;
        try
        {
            await monolithSilo.WaitHealthyAsync(monolith.DashboardPort);
            await RepoCli.RunAsync(minerRepo, "storage", "attach", "--init", "--seal", "--store", Path.Combine(dir.Path, "sectors"));
            await Task.WhenAll(
                RepoCli.RunAsync(minerRepo, "actor", "set-addrs", $"/ip4/127.0.0.1/tcp/{monolith.Libp2pPort}"),
                RepoCli.RunAsync(minerRepo, "sectors", "pledge"),
                CliAsync(client, "client", "wallet", "new").ContinueWith(_ => CliAsync(client, "client", "wallet", "fund", "--from", devnet.Faucet)).Unwrap());
            var firstDeal = await DealAsync(client, miner, dir.Path, "before-split");
            Mark(watch, $"deal before the split: {firstDeal}");
            await UntilAsync(async () => (await SnapshotAsync(minerRepo, minerRepo)).Sectors.Any(s => s.Value == "Proving"), "a sector in Proving", monolithSilo);
            before = await SnapshotAsync(minerRepo, minerRepo);
            Mark(watch, $"before the split: {Describe(before)}");
            Assert.Single(before.Deals);
            Assert.True(before.Sectors.Count >= 2, Describe(before));

            // 2. Backup, then the gateway repo (init service); the miner's peer id on chain is the gateway's.
            backup = Path.Combine(dir.Path, "before-split.cbor");
            Assert.Contains(backup, await RepoCli.RunAsync(minerRepo, "backup", backup));
            var admin = Line(await RepoCli.RunAsync(minerRepo, "auth", "api-info", "--perm", "admin"), "MINER_API_INFO=")["MINER_API_INFO=".Length..];
            var gatewayConfig = Path.Combine(dir.Path, "gateway.toml");
            File.WriteAllText(gatewayConfig, gateway.Text);
            await CliAsync(new Dictionary<string, string?>(), "config", "validate", gatewayConfig);
            var init = await GranaryProcess.RunAsync(["init", "service", "--type=markets", "--api-sealer", admin, "--api-sector-index", admin,
                "--config", gatewayConfig, backup, "--repo", gatewayRepo]);
            Assert.True(init.ExitCode == 0, init.Output);
            gatewayPeer = PeerId.Parse(Line(init.Output, "12D3KooW"));
            Assert.Equal(gatewayPeer.Multihash.ToArray(), (await chain.StateMinerInfo(minerAddress, null)).PeerId);
        }
        finally
        {
            await monolithSilo.TerminateAsync();
            (exit, output) = (monolithSilo.ExitCode, monolithSilo.Output);
            await monolithSilo.DisposeAsync();
        }

        Assert.True(exit == 0, output);
        Mark(watch, "gateway repo made, monolith stopped");

        // 3. Split: the miner without markets, the gateway with only markets, its address on chain.
        (monolith with { Subsystems = "EnableMarkets = false" }).WriteTo(minerRepo);
        var sides = new Dictionary<string, string?> { ["GRANARY_MINER_PATH"] = minerRepo, ["GRANARY_MARKETS_PATH"] = gatewayRepo };
        int minerExit;
        string minerOutput;
        var minerSilo = GranaryProcess.Start(["run", "--repo", minerRepo]);
        var gatewaySilo = GranaryProcess.Start(["run", "--repo", gatewayRepo]);
        try
        {
            await minerSilo.WaitHealthyAsync(monolith.DashboardPort);
            await gatewaySilo.WaitHealthyAsync(gateway.DashboardPort, members: 2);
            await CliAsync(sides, "actor", "set-addrs", $"/ip4/127.0.0.1/tcp/{gateway.Libp2pPort}");
            Assert.Equal(gatewayPeer.ToString(), (await CliAsync(sides, "net", "id")).Trim());
            var split = await SnapshotAsync(minerRepo, gatewayRepo);
            AssertNotRegressed(before, split);
            Mark(watch, $"split running: {Describe(split)}");

            // A new deal through the gateway: accepted, published, in a sector on the miner side, while the miner proves.
            var settled = await SettledAsync(sides);
            var secondDeal = await DealAsync(sides.Concat(client).ToDictionary(), miner, dir.Path, "after-split");
            Mark(watch, $"deal through the gateway: {secondDeal}");
            var withGateway = await SnapshotAsync(minerRepo, gatewayRepo);
            Assert.Equal(2, withGateway.Deals.Count);
            var chainDealId = ulong.Parse(Regex.Matches(secondDeal, @"deal id (?<id>\d+)").Last().Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture);
            var sectorsList = JsonDocument.Parse(await CliAsync(sides, "sectors", "list", "--json")).RootElement;
            Assert.True(sectorsList.EnumerateArray().Any(s => s.GetProperty("Deals").EnumerateArray().Any(d => d.GetUInt64() == chainDealId)),
                $"no sector on the miner side holds deal {chainDealId}: {sectorsList}");
            Assert.True(await SettledAsync(sides) > settled, "the miner's proving scheduler stopped acting on heads");

            // 4. The gateway stopped (SIGTERM) once the proven sector's deadline is open, and started again inside it.
            var proven = before.Sectors.First(s => s.Value == "Proving").Key;
            var sector = await chain.StateSectorGetInfo(minerAddress, proven, null) ?? throw new InvalidOperationException($"sector {proven} is not on chain");
            var location = JsonDocument.Parse(await CliAsync(sides, "proving", "deadlines", "--json")).RootElement.EnumerateArray()
                .First(d => d.GetProperty("Sectors").GetInt32() > 0);
            var deadlineIndex = location.GetProperty("Index").GetUInt64();
            var now = await chain.StateMinerProvingDeadline(minerAddress, null);
            var open = now.PeriodStart + ((long)deadlineIndex * now.WPoStChallengeWindow);
            if (open + now.WPoStChallengeWindow <= now.CurrentEpoch + 2)
            {
                open += now.WPoStProvingPeriod;
            }

            var close = open + now.WPoStChallengeWindow;
            Mark(watch, $"sector {proven} (activated {sector.Activation}) is in deadline {deadlineIndex}: open {open}, close {close}, now {now.CurrentEpoch}");
            Assert.True(open - now.CurrentEpoch < 150, $"deadline {deadlineIndex} opens at {open}, {open - now.CurrentEpoch} epochs from now: the test would run too long");
            await UntilEpochAsync(chain, open);
            var stopEpoch = (await chain.ChainHead()).Height;
            await gatewaySilo.TerminateAsync();
            Assert.True(gatewaySilo.ExitCode == 0, gatewaySilo.Output);
            var downEpoch = (await chain.ChainHead()).Height;
            var stopped = gatewaySilo;
            gatewaySilo = GranaryProcess.Start(["run", "--repo", gatewayRepo]);
            await stopped.DisposeAsync();
            await gatewaySilo.WaitHealthyAsync(gateway.DashboardPort, members: 2);
            var upEpoch = (await chain.ChainHead()).Height;
            Mark(watch, $"gateway SIGTERM at epoch {stopEpoch}, exited at {downEpoch}, started again, healthy at {upEpoch}");
            Assert.InRange(stopEpoch, open, close - 1);
            Assert.InRange(upEpoch, open, close - 1);

            // While the window is open: the partition is in the deadline's PostSubmissions (cron clears them at its close).
            while (!(await chain.StateMinerDeadlines(minerAddress, null))[(int)deadlineIndex].PostSubmissions.Contains(0))
            {
                if ((await chain.ChainHead()).Height >= close)
                {
                    await UntilEpochAsync(chain, close + 3);
                    var late = WindowPoStsOf(Path.Combine(devnet.Repo, "devnet.db"), minerAddress, deadlineIndex, open - 10, close + 3);
                    Assert.Fail($"deadline {deadlineIndex} closed at {close} without a WindowPoSt of partition 0 (messages: "
                        + $"{string.Join(", ", late.Select(p => $"epoch {p.Height} exit {p.ExitCode}"))}); the miner silo's proving log:\n{ProvingLog(minerSilo.Output)}");
                }

                await Task.Delay(200); // polling the chain
            }

            var provenAt = (await chain.ChainHead()).Height;
            Assert.InRange(provenAt, open, close - 1);
            await UntilEpochAsync(chain, close + 1);
            var posts = WindowPoStsOf(Path.Combine(devnet.Repo, "devnet.db"), minerAddress, deadlineIndex, open - now.WPoStChallengeWindow, close + now.WPoStChallengeWindow);
            Mark(watch, $"deadline {deadlineIndex}'s WindowPoSts in epochs {open - 10}..{close + 10}: {string.Join(", ", posts.Select(p => $"epoch {p.Height} exit {p.ExitCode}"))}");
            var post = Assert.Single(posts);
            Assert.InRange(post.Height, open, close - 1);
            Assert.Equal(0, post.ExitCode);
            Assert.Empty((await chain.StateMinerFaults(minerAddress, null)).Members);
            // The deadline grain recorded the same message as landed at that epoch (`proving deadlines`' post column).
            var recorded = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            JsonElement row;
            while ((row = JsonDocument.Parse(await CliAsync(sides, "proving", "deadlines", "--json")).RootElement[(int)deadlineIndex].Clone())
                .GetProperty("PoStHeight").GetInt64() != post.Height)
            {
                Assert.True(DateTime.UtcNow < recorded, $"proving deadlines does not show the WindowPoSt of epoch {post.Height} as landed: {row}");
                await Task.Delay(500); // polling the deadline grain's record
            }

            Assert.StartsWith("landed bafy2", row.GetProperty("PoSt").GetString());
            Assert.Empty(JsonDocument.Parse(await CliAsync(sides, "proving", "faults", "--json")).RootElement.EnumerateArray());
        }
        finally
        {
            await gatewaySilo.TerminateAsync();
            (exit, output) = (gatewaySilo.ExitCode, gatewaySilo.Output);
            await gatewaySilo.DisposeAsync();
            await minerSilo.TerminateAsync();
            (minerExit, minerOutput) = (minerSilo.ExitCode, minerSilo.Output);
            await minerSilo.DisposeAsync();
        }

        Assert.True(exit == 0, output);
        Assert.True(minerExit == 0, minerOutput);

        // 5. Rollback: deal metadata exported from the gateway repo and merged into the miner's, markets on the miner again,
        // its own peer id and address on chain.
        var exportDir = Path.Combine(dir.Path, "export");
        Directory.CreateDirectory(exportDir);
        var export = Line(await RepoCli.RunAsync(gatewayRepo, "market", "export-datastore", "--backup-dir", exportDir), exportDir);
        Assert.True(File.Exists(export), export);
        var imported = await RepoCli.RunAsync(minerRepo, "market", "import-datastore", "--backup-path", export);
        Assert.Contains($"imported deal metadata of miner {miner} into {minerRepo}", imported);
        Mark(watch, imported.Trim());
        monolith.WriteTo(minerRepo);
        await using var restored = GranaryProcess.Start(["run", "--repo", minerRepo]);
        await restored.WaitHealthyAsync(monolith.DashboardPort);
        var ownPeer = (await RepoCli.RunAsync(minerRepo, "net", "id")).Trim();
        Assert.NotEqual(gatewayPeer.ToString(), ownPeer);
        Assert.Contains($"peer id set to {ownPeer}", await RepoCli.RunAsync(minerRepo, "actor", "set-peer-id", ownPeer));
        await RepoCli.RunAsync(minerRepo, "actor", "set-addrs", $"/ip4/127.0.0.1/tcp/{monolith.Libp2pPort}");
        Assert.Equal(PeerId.Parse(ownPeer).Multihash.ToArray(), (await chain.StateMinerInfo(minerAddress, null)).PeerId);
        Assert.Contains("(monolith: one silo serves both)", await RepoCli.RunAsync(minerRepo, "info"));
        var after = await SnapshotAsync(minerRepo, minerRepo);
        Mark(watch, $"after the rollback: {Describe(after)}");
        Assert.Equal(before.Deals.Count + 1, after.Deals.Count);
        Assert.Equal(before.Sectors.Count + 1, after.Sectors.Count);
        AssertNotRegressed(before, after);
        await restored.TerminateAsync();
        Assert.True(restored.ExitCode == 0, restored.Output);
        Mark(watch, "done");
    }

    // Deal checkpoints by UUID and sector states by number, as the CLI reports them.
    private sealed record Snapshot(Dictionary<string, string> Deals, Dictionary<ulong, string> Sectors);

    private void Mark(Stopwatch watch, string what) => log.WriteLine($"{watch.Elapsed.TotalSeconds,6:0.0} s  {what}");

    private static string Describe(Snapshot s) =>
        $"deals [{string.Join(", ", s.Deals.Values)}], sectors [{string.Join(", ", s.Sectors.Select(x => $"{x.Key}: {x.Value}"))}]";

    private static async Task<Snapshot> SnapshotAsync(string minerRepo, string marketsRepo)
    {
        var sides = new Dictionary<string, string?> { ["GRANARY_MINER_PATH"] = minerRepo, ["GRANARY_MARKETS_PATH"] = marketsRepo };
        var deals = JsonDocument.Parse(await CliAsync(sides, "storage-deals", "list", "--json")).RootElement.GetProperty("Deals").EnumerateArray()
            .ToDictionary(d => d.GetProperty("DealUuid").GetString()!, d => d.GetProperty("Checkpoint").ToString());
        var sectors = JsonDocument.Parse(await CliAsync(sides, "sectors", "list", "--json")).RootElement.EnumerateArray()
            .ToDictionary(s => s.GetProperty("ID").GetUInt64(), s => s.GetProperty("State").GetString()!);
        return new Snapshot(deals, sectors);
    }

    private static void AssertNotRegressed(Snapshot before, Snapshot after)
    {
        foreach (var (uuid, checkpoint) in before.Deals)
        {
            Assert.True(after.Deals.TryGetValue(uuid, out var now), $"deal {uuid} is gone: {Describe(after)}");
            Assert.True(Rank(DealOrder, now) >= Rank(DealOrder, checkpoint), $"deal {uuid} went from {checkpoint} back to {now}");
        }

        foreach (var (number, state) in before.Sectors)
        {
            Assert.True(after.Sectors.TryGetValue(number, out var now), $"sector {number} is gone: {Describe(after)}");
            Assert.DoesNotContain("Fail", now, StringComparison.Ordinal);
            if (state == "Proving")
            {
                Assert.Equal("Proving", now);
            }
        }
    }

    private static int Rank(string[] order, string state)
    {
        var i = Array.IndexOf(order, state);
        return i >= 0 ? i : int.TryParse(state, out var n) ? n : throw new InvalidOperationException($"unknown state {state}");
    }

    // A random file small enough for a 2 KiB sector, dealt with `granary client deal --wait sealing`.
    private static async Task<string> DealAsync(IDictionary<string, string?> environment, string miner, string root, string name)
    {
        var file = Path.Combine(root, $"{name}.bin");
        await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes(1500));
        await using var p = GranaryProcess.Start(["client", "deal", "--miner", miner, "--price", Price, "--start-in", "400", "--wait", "sealing", file], environment);
        var deadline = DateTime.UtcNow + Patience;
        while (!p.HasExited)
        {
            Assert.True(DateTime.UtcNow < deadline, $"client deal did not reach sealing:\n{p.Output}");
            await Task.Delay(200); // polling for the process to exit
        }

        await Task.Delay(100); // lets the output readers drain the last lines
        Assert.True(p.ExitCode == 0, $"client deal exited with {p.ExitCode}:\n{p.Output}");
        Assert.Matches(@"deal [0-9a-f-]{36} accepted by t0\d+", p.Output);
        Assert.Contains("Published: message bafy2", p.Output);
        return p.Output;
    }

    // Creates miners in parallel (a few at a time) until one's deadline 0 opens MinLead..MaxLead epochs after its creation.
    private static async Task<(string Repo, TestConfig Config, string Miner, long Epoch)> CreateMinerAsync(string root, string database, string chainLines,
        ChainRpcClient chain, string faucet)
    {
        var rejected = new List<string>();
        for (var round = 0; round < 8; round++)
        {
            var candidates = Enumerable.Range(0, 4).Select(i =>
            {
                var repo = Path.Combine(root, $"miner-{round}-{i}");
                var config = TestConfig.OnFreePorts(database, chain: chainLines);
                config.WriteTo(repo);
                return (Repo: repo, Config: config);
            }).ToList();
            var miners = await Task.WhenAll(candidates.Select(async c => Line(await RepoCli.RunAsync(c.Repo, "init", "--sector-size", "2KiB", "--from", faucet), "t0")));
            for (var i = 0; i < miners.Length; i++)
            {
                var info = await chain.StateMinerProvingDeadline(Address.Parse(miners[i]), null);
                var lead = ((info.PeriodStart - info.CurrentEpoch) % info.WPoStProvingPeriod + info.WPoStProvingPeriod) % info.WPoStProvingPeriod;
                if (lead is >= MinLead and <= MaxLead)
                {
                    return (candidates[i].Repo, candidates[i].Config, miners[i], info.CurrentEpoch);
                }

                rejected.Add($"{miners[i]}: {lead}");
            }
        }

        throw new InvalidOperationException($"no miner's deadline 0 opens {MinLead}..{MaxLead} epochs after its creation: {string.Join(", ", rejected)}");
    }

    // The miner's SubmitWindowedPoSt messages (method 5) for the deadline in heights from..to, from the devnet's own database.
    private static List<(long Height, long ExitCode)> WindowPoStsOf(string devnetDb, Address miner, ulong deadline, long from, long to)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = devnetDb, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT height, exit_code, signed FROM messages WHERE height BETWEEN $from AND $to ORDER BY height";
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
        using var reader = command.ExecuteReader();
        var found = new List<(long, long)>();
        while (reader.Read())
        {
            var message = SignedMessage.FromCbor((byte[])reader["signed"]).Message;
            if (message.Method == 5 && message.To == miner && SubmitWindowedPoStParams.FromCbor(message.Params).Deadline == deadline)
            {
                found.Add((reader.GetInt64(0), reader.GetInt64(1)));
            }
        }

        return found;
    }

    private static string ProvingLog(string output) => string.Join('\n', output.Split('\n')
        .Where(l => l.Contains("PoSt", StringComparison.Ordinal) || l.Contains("Proving", StringComparison.Ordinal) || l.Contains("deadline", StringComparison.OrdinalIgnoreCase))
        .TakeLast(60));

    private static async Task UntilEpochAsync(ChainRpcClient chain, long epoch)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(200);
        while ((await chain.ChainHead()).Height < epoch)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the chain did not reach epoch {epoch}");
            await Task.Delay(200); // polling the chain head
        }
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what, GranaryProcess silo)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited too long for {what}:\n{silo.Output[^Math.Min(6000, silo.Output.Length)..]}");
            await Task.Delay(500); // polling for the condition
        }
    }

    private static async Task<string> CliAsync(IDictionary<string, string?> environment, params string[] args)
    {
        var (code, output) = await GranaryProcess.RunAsync(args, environment);
        Assert.True(code == 0, $"granary {string.Join(' ', args)} exited with {code}:\n{output}");
        return output;
    }

    private static async Task<long> SettledAsync(IDictionary<string, string?> sides) =>
        JsonDocument.Parse(await CliAsync(sides, "proving", "info", "--json")).RootElement.GetProperty("Scheduler").GetProperty("Settled").GetInt64();

    private static string Line(string output, string prefix) =>
        output.Split('\n', StringSplitOptions.TrimEntries).First(l => l.StartsWith(prefix, StringComparison.Ordinal));
}
