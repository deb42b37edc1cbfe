using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Granary.Libp2p.Multiaddrs;
using Granary.Silo.Tests.Support;
using Xunit.Abstractions;

namespace Granary.Silo.Tests;

/// <summary>
/// The operator web UI in a real browser: Debian's Chromium driven by playwright-core (tests/interop/browser, one node
/// script per page) against a real <c>granary run</c> monolith on a devnet process. Sector 0 is pledged before any storage
/// path exists, so it fails at Packing; the Sealing page retries it (with a write token, after a read token is refused) and
/// follows it to Proving on its timeline while a newly pledged sector appears; Overview, Storage and Cluster then show the
/// sealed sector; on the Deals page an offline deal's data is imported and its checkpoint moves on, all without reloads. A
/// <c>/metrics</c> scrape is read by an independent Prometheus text parser. Screenshots go to <c>screenshots/</c> beside
/// the test assembly.
/// </summary>
public sealed class WebUiBrowserTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Every_page_shows_the_miner_in_Chromium_and_follows_a_retried_sector_and_a_deal_without_reloading()
    {
        var browser = BrowserScripts.Require();
        using var dir = new TempDirectory();
        await using var devnet = await DevnetProcess.StartAsync(Path.Combine(dir.Path, "devnet"));
        var repo = Path.Combine(dir.Path, "silo");
        // A long automatic back-off, so only the page's Retry moves the failed sector on.
        var config = TestConfig.OnFreePorts(chain: $"""
            ApiInfo = "{devnet.ApiInfo}"
            [Sealing]
            PreCommitBatchWait = "1s"
            CommitBatchWait = "1s"
            RetryBackoff = "10m"
            [Dealmaking]
            StartEpochSealingBuffer = 20
            ExpectedSealDuration = "0s"
            """);
        config.WriteTo(repo);
        var miner = (await RepoCli.RunAsync(repo, "init", "--sector-size", "2KiB", "--from", devnet.Faucet)).Split('\n', StringSplitOptions.TrimEntries)
            .Single(l => l.StartsWith("t0", StringComparison.Ordinal));
        await using var client = await OfflineDealClient.CreateAsync(devnet, "granary web ui test client");
        var car = Path.Combine(dir.Path, "payload.car");
        var piece = await OfflineDealClient.WriteCarAsync(car, 5, 11);

        await using var silo = GranaryProcess.Start(["run", "--repo", repo]);
        var health = await silo.WaitHealthyAsync(config.DashboardPort);
        var siloName = health.GetProperty("silo").GetString()!;
        var admin = $"http://127.0.0.1:{config.DashboardPort}";

        Assert.Equal("Created CC sector: 0", (await RepoCli.RunAsync(repo, "sectors", "pledge")).Trim());
        await WaitForAsync("sector 0 in AddPieceFailed", async () =>
            (await RepoCli.RunAsync(repo, "sectors", "status", "0")).Contains("AddPieceFailed", StringComparison.Ordinal));
        var store = Path.Combine(dir.Path, "sectors");
        await RepoCli.RunAsync(repo, "storage", "attach", "--init", "--seal", "--store", store);

        var peer = (await RepoCli.RunAsync(repo, "net", "id")).Trim();
        var gateway = Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{config.Libp2pPort}/p2p/{peer}");
        var (_, refused) = await client.ProposeAsync(gateway, miner, piece, price: 1);
        Assert.False(refused.Accepted);
        Assert.Contains("asking price", refused.Message);
        var (deal, accepted) = await client.ProposeAsync(gateway, miner, piece);
        Assert.True(accepted.Accepted, accepted.Message);

        // The JSON behind the pages refuses what it cannot read, in one line.
        using (var http = new HttpClient())
        {
            foreach (var (query, status) in new[]
            {
                ("sector.json", HttpStatusCode.BadRequest), ("sector.json?id=abc", HttpStatusCode.BadRequest), ("sector.json?id=-1", HttpStatusCode.BadRequest),
                ($"sector.json?id={new string('9', 400)}", HttpStatusCode.BadRequest), ("deal.json?uuid=" + deal.DealUuid.ToString()[..20], HttpStatusCode.BadRequest),
                ("nothing.json", HttpStatusCode.NotFound), ("overview.json", HttpStatusCode.OK),
            })
            {
                using var response = await http.GetAsync($"{admin}/ui/api/{query}");
                Assert.True(response.StatusCode == status, $"{query}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            using var retryUnknown = new HttpRequestMessage(HttpMethod.Post, $"{admin}/ui/api/sectors/77/retry");
            retryUnknown.Headers.Authorization = new("Bearer", File.ReadAllText(Path.Combine(repo, "token")).Trim());
            Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(retryUnknown)).StatusCode);
            using var api = await http.GetAsync($"http://127.0.0.1:{config.ApiPort}/ui/");
            Assert.Equal(HttpStatusCode.NotFound, api.StatusCode); // the pages are on the admin endpoint only
        }

        var screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots", nameof(WebUiBrowserTests));
        var common = new Dictionary<string, object?>
        {
            ["base"] = admin,
            ["rpc"] = $"http://127.0.0.1:{config.ApiPort}/rpc/v0",
            ["adminToken"] = File.ReadAllText(Path.Combine(repo, "token")).Trim(),
            ["screenshots"] = screenshots,
            ["miner"] = miner,
            ["silo"] = siloName,
        };
        var results = new Dictionary<string, JsonElement>
        {
            ["sealing"] = await browser.RunAsync("sealing.mjs", common, TimeSpan.FromMinutes(5), new()
            {
                ["failedSector"] = 0,
                ["readToken"] = Token(await RepoCli.RunAsync(repo, "auth", "create-token", "--perm", "read")),
                ["writeToken"] = Token(await RepoCli.RunAsync(repo, "auth", "create-token", "--perm", "write")),
                ["provingTimeoutMs"] = 240_000,
            }),
            ["overview"] = await browser.RunAsync("overview.mjs", common, Patience),
            ["storage"] = await browser.RunAsync("storage.mjs", common, Patience, new() { ["path"] = store }),
            ["cluster"] = await browser.RunAsync("cluster.mjs", common, Patience),
            ["deals"] = await browser.RunAsync("deals.mjs", common, Patience, new() { ["deal"] = deal.DealUuid.ToString(), ["car"] = car }),
            ["metrics"] = await browser.RunAsync("metrics.mjs", common, Patience),
        };

        // What each page check saw (load times, stage durations, metric figures), beside the screenshots.
        File.WriteAllText(Path.Combine(screenshots, "results.json"), JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        foreach (var (page, result) in results)
        {
            output.WriteLine($"{page}: {result}");
        }

        Assert.Equal("Proving", results["sealing"].GetProperty("stages").EnumerateArray().Last().GetProperty("state").GetString());
        Assert.Equal(["/ui/", "/ui/app.css", "/ui/app.js"], results["overview"].GetProperty("assets").EnumerateArray().Select(a => a.GetString()!));
        Assert.NotEqual("Accepted", results["deals"].GetProperty("moved").GetString());
        Assert.True(results["metrics"].GetProperty("checks").GetProperty("proving").GetInt32() >= 1);
        foreach (var shot in new[] { "overview", "sealing-failed", "sealing-timeline", "deals", "deal", "storage", "cluster" })
        {
            var file = Path.Combine(screenshots, shot + ".png");
            Assert.True(File.Exists(file) && new FileInfo(file).Length > 10_000, $"screenshot {file}");
        }

        await silo.TerminateAsync();
        Assert.True(silo.ExitCode == 0, $"granary run exited with {silo.ExitCode}:\n{silo.Output[^Math.Min(silo.Output.Length, 6000)..]}");
    }

    private static string Token(string output) => output.Trim().Split('\n')[^1].Trim();

    private static async Task WaitForAsync(string what, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}: not within {Patience}");
            await Task.Delay(500); // polling the silo's state, not standing in for work
        }
    }

    /// <summary>The node scripts of tests/interop/browser, run with Debian's Chromium.</summary>
    private sealed class BrowserScripts(string directory, string chromium)
    {
        public static BrowserScripts Require()
        {
            var dir = Path.Combine(RepoRoot.Path, "tests", "interop", "browser");
            var chromium = Environment.GetEnvironmentVariable("GRANARY_CHROMIUM") is { Length: > 0 } set ? set : "/usr/bin/chromium";
            Assert.True(File.Exists(chromium), $"no Chromium at {chromium}: run tests/setup/40-chromium.sh (or ./test.sh) to install Debian's");
            Assert.True(Directory.Exists(Path.Combine(dir, "node_modules", "playwright-core")),
                $"{dir}/node_modules is missing: run tests/setup/30-npm.sh (or ./test.sh) to install playwright-core");
            return new BrowserScripts(dir, chromium);
        }

        /// <summary>Runs <c>node SCRIPT JSON</c>; its last stdout line (JSON) when it succeeds, else the test fails with its stderr.</summary>
        public async Task<JsonElement> RunAsync(string script, Dictionary<string, object?> common, TimeSpan timeout, Dictionary<string, object?>? extra = null)
        {
            var args = new Dictionary<string, object?>(common);
            foreach (var (k, v) in extra ?? [])
            {
                args[k] = v;
            }

            var info = new ProcessStartInfo("node") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(script);
            info.ArgumentList.Add(JsonSerializer.Serialize(args));
            info.Environment["GRANARY_CHROMIUM"] = chromium;
            using var process = Process.Start(info) ?? throw new InvalidOperationException("node is not installed");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"node {script} did not finish within {timeout}: {await stderr}");
            }

            Assert.True(process.ExitCode == 0, $"node {script} failed ({process.ExitCode}):\n{await stderr}\n{await stdout}");
            var last = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
            return JsonDocument.Parse(last).RootElement.Clone();
        }
    }
}
