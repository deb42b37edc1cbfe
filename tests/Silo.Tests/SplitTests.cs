using System.Text.Json;
using Granary.Chain.Rpc;
using Granary.Filecoin.Addresses;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary>
/// The split of a monolith into a miner silo and a markets gateway and its rollback, as docs/operations.md describes it,
/// with real processes: a devnet process, one PostgreSQL database, the miner's repo and the gateway's repo made by
/// <c>granary init service --type=markets</c>. Bad input (a wrong or read-only token, a config with other subsystems, a
/// config pointed at another miner's cluster) is refused with one line and changes nothing.
/// </summary>
public sealed class SplitTests
{
    private const string MarketsOnly = "EnableMining = false\nEnableSealing = false\nEnableSectorStorage = false\nEnableMarkets = true";

    [Fact]
    public async Task A_monolith_splits_into_miner_and_gateway_and_rolls_back()
    {
        using var dir = new TempDirectory();
        await using var devnet = await DevnetProcess.StartAsync(Path.Combine(dir.Path, "devnet"));
        var database = await PostgresServer.CreateDatabaseAsync();
        var otherDatabase = await PostgresServer.CreateDatabaseAsync();
        var chainLines = $"""
            ApiInfo = "{devnet.ApiInfo}"
            [Dealmaking]
            StartEpochSealingBuffer = 20
            ExpectedSealDuration = "0s"
            """;
        var minerRepo = Path.Combine(dir.Path, "miner");
        var gatewayRepo = Path.Combine(dir.Path, "gateway");
        var otherRepo = Path.Combine(dir.Path, "other-miner");
        var monolith = TestConfig.OnFreePorts(database, chain: chainLines);
        monolith.WriteTo(minerRepo);
        var other = TestConfig.OnFreePorts(otherDatabase, chain: chainLines);
        other.WriteTo(otherRepo);
        var miner = Line(await RepoCli.RunAsync(minerRepo, "init", "--sector-size", "2KiB", "--from", devnet.Faucet), "t0");
        var otherMiner = Line(await RepoCli.RunAsync(otherRepo, "init", "--sector-size", "2KiB", "--from", devnet.Faucet), "t0");
        Assert.NotEqual(miner, otherMiner);
        using var chain = ChainRpcClient.FromApiInfo(devnet.ApiInfo);

        var gateway = TestConfig.OnFreePorts(database, MarketsOnly, chainLines);

        PeerId gatewayPeer;
        string minerBackup;
        Guid dealUuid;
        JsonElement before;
        int minerExit, gatewayExit;
        string minerOutput, gatewayOutput;

        // 1. The monolith takes a deal.
        var minerSilo = GranaryProcess.Start(["run", "--repo", minerRepo]);
        await using var otherSilo = GranaryProcess.Start(["run", "--repo", otherRepo]);
        try
        {
            await minerSilo.WaitHealthyAsync(monolith.DashboardPort);
            await otherSilo.WaitHealthyAsync(other.DashboardPort);
            var monolithPeer = (await RepoCli.RunAsync(minerRepo, "net", "id")).Trim();
            await using var client = await OfflineDealClient.CreateAsync(devnet, "granary split test client");
            var car = Path.Combine(dir.Path, "deal.car");
            var piece = await OfflineDealClient.WriteCarAsync(car, 3, 1);
            var (deal, response) = await client.ProposeAsync(Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{monolith.Libp2pPort}/p2p/{monolithPeer}"), miner, piece);
            Assert.True(response.Accepted, response.Message);
            dealUuid = deal.DealUuid;
            before = JsonDocument.Parse(await RepoCli.RunAsync(minerRepo, "storage-deals", "status", dealUuid.ToString(), "--json")).RootElement.Clone();

            // 2. init service, first with bad input: each refused, nothing changed.
            var admin = Line(await RepoCli.RunAsync(minerRepo, "auth", "api-info", "--perm", "admin"), "MINER_API_INFO=")["MINER_API_INFO=".Length..];
            var read = Line(await RepoCli.RunAsync(minerRepo, "auth", "api-info", "--perm", "read"), "MINER_API_INFO=")["MINER_API_INFO=".Length..];
            var otherAdmin = Line(await RepoCli.RunAsync(otherRepo, "auth", "api-info", "--perm", "admin"), "MINER_API_INFO=")["MINER_API_INFO=".Length..];
            var gatewayConfig = Path.Combine(dir.Path, "gateway.toml");
            File.WriteAllText(gatewayConfig, gateway.Text);
            var peerBefore = (await chain.StateMinerInfo(Address.Parse(miner), null)).PeerId;

            var forged = $"eyJhbGciOiJIUzI1NiJ9.eyJBbGxvdyI6WyJhZG1pbiJdfQ.{new string('A', 43)}:{admin[(admin.IndexOf(':', StringComparison.Ordinal) + 1)..]}";
            var monolithConfig = Path.Combine(dir.Path, "monolith.toml");
            File.WriteAllText(monolithConfig, TestConfig.OnFreePorts(database, chain: chainLines).Text);
            var otherClusterConfig = Path.Combine(dir.Path, "other-cluster.toml");
            File.WriteAllText(otherClusterConfig, TestConfig.OnFreePorts(otherDatabase, MarketsOnly, chainLines).Text);
            var sqliteConfig = Path.Combine(dir.Path, "sqlite.toml");
            File.WriteAllText(sqliteConfig, TestConfig.OnFreePorts("sqlite:granary.db", MarketsOnly, chainLines).Text);
            // Backups (online, `granary backup`): the miner's, another miner's, and a damaged copy.
            var otherBackup = Path.Combine(dir.Path, "other.cbor");
            minerBackup = Path.Combine(dir.Path, "miner.cbor");
            await Task.WhenAll(RepoCli.RunAsync(otherRepo, "backup", otherBackup), RepoCli.RunAsync(minerRepo, "backup", minerBackup));
            var truncated = Path.Combine(dir.Path, "truncated.cbor");
            var bytes = File.ReadAllBytes(minerBackup);
            File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
            (string[] Args, string Expected)[] refusals =
            [
                (["--api-sealer", forged, "--api-sector-index", admin, "--config", gatewayConfig], "granary: --api-sealer: the API refused the token"),
                (["--api-sealer", read, "--api-sector-index", admin, "--config", gatewayConfig],
                    "granary: --api-sealer: the token has [read]; changing the miner's peer id needs an admin token"),
                (["--api-sealer", admin, "--api-sector-index", otherAdmin, "--config", gatewayConfig],
                    "granary: --api-sector-index: its cluster does not include the sealer's silo"),
                (["--api-sealer", admin, "--api-sector-index", admin, "--config", monolithConfig],
                    "must enable only the markets subsystem ([Subsystems] EnableMarkets = true, EnableMining = false, EnableSealing = false, EnableSectorStorage = false); "
                    + "it enables EnableMining, EnableSealing, EnableSectorStorage, EnableMarkets"),
                (["--api-sealer", admin, "--api-sector-index", admin, "--config", otherClusterConfig],
                    $"granary: --config: the [Cluster] Database is not the cluster of miner {miner}: its active silos are ["),
                (["--api-sealer", admin, "--api-sector-index", admin, "--config", sqliteConfig], "a gateway joins the miner's cluster through its PostgreSQL database"),
                (["--api-sealer", admin, "--api-sector-index", admin, "--config", gatewayConfig, otherBackup],
                    $"granary: BACKUP: {otherBackup} is a backup of miner {otherMiner}, not of {miner}"),
                (["--api-sealer", admin, "--api-sector-index", admin, "--config", gatewayConfig, truncated], $"granary: BACKUP: {truncated}: "),
            ];
            await Task.WhenAll(refusals.Select(c => RefusedAsync(gatewayRepo, c.Args, c.Expected)));
            Assert.False(Directory.Exists(gatewayRepo));
            Assert.Equal(peerBefore, (await chain.StateMinerInfo(Address.Parse(miner), null)).PeerId);

            // 3. init service: a gateway repo with its own identity; the miner's peer id is the gateway's.
            var init = await GranaryProcess.RunAsync(["init", "service", "--type=markets", "--api-sealer", admin, "--api-sector-index", admin,
                "--config", gatewayConfig, minerBackup, "--repo", gatewayRepo]);
            Assert.True(init.ExitCode == 0, init.Output);
            gatewayPeer = PeerId.Parse(Line(init.Output, "12D3KooW"));
            Assert.NotEqual(monolithPeer, gatewayPeer.ToString());
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(gatewayRepo, "keystore", "libp2p-host")));
            Assert.Equal(miner, JsonDocument.Parse(File.ReadAllText(Path.Combine(gatewayRepo, "miner.json"))).RootElement.GetProperty("Miner").GetString());
            Assert.False(File.Exists(Path.Combine(gatewayRepo, "keystore", "wallet-worker")));
            Assert.Equal(gatewayPeer.Multihash.ToArray(), (await chain.StateMinerInfo(Address.Parse(miner), null)).PeerId);
            await RefusedAsync(gatewayRepo, ["--api-sealer", admin, "--api-sector-index", admin, "--config", gatewayConfig], "is already a repo");
        }
        finally
        {
            await minerSilo.TerminateAsync();
            (minerExit, minerOutput) = (minerSilo.ExitCode, minerSilo.Output);
            await minerSilo.DisposeAsync();
        }

        Assert.True(minerExit == 0, minerOutput);

        // 4. Split: the miner without markets, the gateway with only markets.
        var split = monolith with { Subsystems = "EnableMarkets = false" };
        split.WriteTo(minerRepo);
        await using var minerOnly = GranaryProcess.Start(["run", "--repo", minerRepo]);
        await minerOnly.WaitHealthyAsync(split.DashboardPort);
        var gatewaySilo = GranaryProcess.Start(["run", "--repo", gatewayRepo]);
        try
        {
            await gatewaySilo.WaitHealthyAsync(gateway.DashboardPort, members: 2);
            var sides = new Dictionary<string, string?> { ["GRANARY_MINER_PATH"] = minerRepo, ["GRANARY_MARKETS_PATH"] = gatewayRepo };
            var info = JsonDocument.Parse(await CliAsync(sides, "info", "--json")).RootElement;
            var minerSide = info.GetProperty("Sides").GetProperty("Miner");
            var marketsSide = info.GetProperty("Sides").GetProperty("Markets");
            Assert.True(minerSide.GetProperty("Reachable").GetBoolean() && marketsSide.GetProperty("Reachable").GetBoolean(), info.ToString());
            Assert.NotEqual(minerSide.GetProperty("Silo").GetString(), marketsSide.GetProperty("Silo").GetString());
            Assert.Equal(["Markets"], marketsSide.GetProperty("Subsystems").EnumerateArray().Select(s => s.GetString()));
            Assert.DoesNotContain("Markets", minerSide.GetProperty("Subsystems").EnumerateArray().Select(s => s.GetString()));
            Assert.Equal(2, info.GetProperty("Members").GetArrayLength());
            var text = await CliAsync(sides, "info");
            Assert.StartsWith("MARKETS_API_INFO=", await CliAsync(sides, "auth", "api-info", "--perm", "read", "--call-on-markets"));
            Assert.Contains($"  miner:    {minerSide.GetProperty("Silo").GetString()} (Mining, Sealing, SectorStorage)", text);
            Assert.Contains($"  markets:  {marketsSide.GetProperty("Silo").GetString()} (Markets)", text);

            // Routing: with the miner side unreachable, markets commands are still answered (by the gateway) and miner
            // commands are not; and the other way round.
            var deadPort = FreePorts.Take(1)[0];
            var minerDown = new Dictionary<string, string?> { ["MINER_API_INFO"] = $"x:/ip4/127.0.0.1/tcp/{deadPort}/http", ["GRANARY_MARKETS_PATH"] = gatewayRepo };
            var deals = JsonDocument.Parse(await CliAsync(minerDown, "storage-deals", "list", "--json")).RootElement;
            Assert.Equal(1, deals.GetProperty("Total").GetInt64());
            Assert.Equal(gatewayPeer.ToString(), (await CliAsync(minerDown, "net", "id")).Trim());
            var (sectorsCode, sectorsDown) = await GranaryProcess.RunAsync(["sectors", "list"], minerDown);
            Assert.Equal(1, sectorsCode);
            Assert.Contains($"cannot reach the granary API at /ip4/127.0.0.1/tcp/{deadPort}/http", sectorsDown);
            var marketsDown = new Dictionary<string, string?> { ["MARKETS_API_INFO"] = $"x:/ip4/127.0.0.1/tcp/{deadPort}/http", ["GRANARY_MINER_PATH"] = minerRepo };
            await CliAsync(marketsDown, "sectors", "list");
            var (dealsCode, dealsDown) = await GranaryProcess.RunAsync(["storage-deals", "list"], marketsDown);
            Assert.Equal(1, dealsCode);
            Assert.Contains($"cannot reach the granary API at /ip4/127.0.0.1/tcp/{deadPort}/http", dealsDown);
            // The miner silo runs no libp2p: asked directly, it says where to ask.
            var (noLibp2p, noLibp2pOutput) = await GranaryProcess.RunAsync(["net", "id"], new Dictionary<string, string?> { ["MARKETS_API_INFO"] = File.ReadAllText(Path.Combine(minerRepo, "token")) + ":" + File.ReadAllText(Path.Combine(minerRepo, "api")) });
            Assert.Equal(1, noLibp2p);
            Assert.Contains("ask a markets silo (MARKETS_API_INFO)", noLibp2pOutput);

            // Markets restarts never touch proving: while the gateway is down, the miner's proving scheduler keeps acting on
            // every head, and the gateway comes back into the cluster.
            var settled = await SettledAsync(sides);
            await gatewaySilo.TerminateAsync();
            Assert.True(gatewaySilo.ExitCode == 0, gatewaySilo.Output);
            var settleDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (await SettledAsync(sides) < settled + 3)
            {
                Assert.True(DateTime.UtcNow < settleDeadline, "the miner's proving scheduler stopped while the gateway was down");
            }

            await gatewaySilo.DisposeAsync();
            gatewaySilo = GranaryProcess.Start(["run", "--repo", gatewayRepo]);
            await gatewaySilo.WaitHealthyAsync(gateway.DashboardPort, members: 2);

            // The deal made before the split is unchanged, answered by the gateway; the chain points at the gateway.
            var after = JsonDocument.Parse(await CliAsync(sides, "storage-deals", "status", dealUuid.ToString(), "--json")).RootElement;
            Assert.Equal(before.GetProperty("Deal").GetProperty("Checkpoint").ToString(), after.GetProperty("Deal").GetProperty("Checkpoint").ToString());
            Assert.Equal(before.GetProperty("Deal").GetProperty("PieceCid").GetString(), after.GetProperty("Deal").GetProperty("PieceCid").GetString());
            Assert.Equal(PeerId.Parse((await CliAsync(sides, "net", "id")).Trim()).Multihash.ToArray(), (await chain.StateMinerInfo(Address.Parse(miner), null)).PeerId);
        }
        finally
        {
            await gatewaySilo.TerminateAsync();
            (gatewayExit, gatewayOutput) = (gatewaySilo.ExitCode, gatewaySilo.Output);
            await gatewaySilo.DisposeAsync();
        }

        Assert.True(gatewayExit == 0, gatewayOutput);
        await minerOnly.TerminateAsync();

        // 5. Rollback: the miner with markets again, its own peer id on chain, the deal still there.
        monolith.WriteTo(minerRepo);
        await using var restored = GranaryProcess.Start(["run", "--repo", minerRepo]);
        await restored.WaitHealthyAsync(monolith.DashboardPort);
        var ownPeer = (await RepoCli.RunAsync(minerRepo, "net", "id")).Trim();
        Assert.Contains($"peer id set to {ownPeer}", await RepoCli.RunAsync(minerRepo, "actor", "set-peer-id", ownPeer));
        Assert.Equal(PeerId.Parse(ownPeer).Multihash.ToArray(), (await chain.StateMinerInfo(Address.Parse(miner), null)).PeerId);
        Assert.Contains("(monolith: one silo serves both)", await RepoCli.RunAsync(minerRepo, "info"));
        var list = JsonDocument.Parse(await RepoCli.RunAsync(minerRepo, "storage-deals", "list", "--json")).RootElement;
        Assert.Equal(1, list.GetProperty("Total").GetInt64());
        await restored.TerminateAsync();
        Assert.True(restored.ExitCode == 0, restored.Output);
    }

    [Fact]
    public async Task Init_service_refuses_malformed_arguments_before_contacting_anything()
    {
        using var dir = new TempDirectory();
        var repo = Path.Combine(dir.Path, "gateway");
        var config = Path.Combine(dir.Path, "gateway.toml");
        var good = $"token:/ip4/127.0.0.1/tcp/{FreePorts.Take(1)[0]}/http";
        var cases = new (string[] Args, string Expected)[]
        {
            (["--api-sealer", "no-colon", "--api-sector-index", good, "--config", config], "granary: --api-sealer must be TOKEN:MULTIADDR"),
            (["--api-sealer", good, "--api-sector-index", "tok:/ip4/127.0.0.1/tcp", "--config", config], "granary: --api-sector-index: "),
            (["--api-sealer", $"tok:/ip4/{new string('1', 5000)}/tcp/1/http", "--api-sector-index", good, "--config", config], "granary: --api-sealer: "),
            (["--api-sealer", good, "--api-sector-index", good, "--config", config], $"granary: --config: {config} does not exist"),
        };
        await Task.WhenAll(cases.Select(c => RefusedAsync(repo, c.Args, c.Expected)));

        File.WriteAllText(config, "[Subsystems]\nEnableMarkets = tru");
        var (code, output) = await GranaryProcess.RunAsync(["init", "service", "--type=markets", "--api-sealer", good, "--api-sector-index", good, "--config", config, "--repo", repo]);
        Assert.Equal(2, code);
        Assert.Contains($"{config}:2", output);
        File.WriteAllText(config, TestConfig.OnFreePorts(subsystems: MarketsOnly).Text);
        var (unreachableCode, unreachable) = await GranaryProcess.RunAsync(["init", "service", "--type=markets", "--api-sealer", good, "--api-sector-index", good, "--config", config, "--repo", repo]);
        Assert.Equal(2, unreachableCode);
        Assert.Contains("a gateway joins the miner's cluster through its PostgreSQL database", unreachable);
        Assert.False(Directory.Exists(repo));
    }

    private static async Task RefusedAsync(string gatewayRepo, string[] args, string expected)
    {
        var (code, output) = await GranaryProcess.RunAsync(["init", "service", "--type", "markets", .. args, "--repo", gatewayRepo]);
        Assert.True(code != 0, output);
        Assert.Single(output.Trim().Split('\n'));
        Assert.Contains(expected, output);
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
        output.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
}
