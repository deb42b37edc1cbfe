using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary><c>granary storage attach|list|find</c> and <c>/remote</c> against a real <c>granary run</c> process.</summary>
public sealed class StorageCommandTests
{
    [Fact]
    public async Task Attach_with_init_writes_sectorstore_json_and_list_shows_the_path_its_silo_capacity_use_and_files()
    {
        using var dir = new TempDirectory();
        var repo = Path.Combine(dir.Path, "repo");
        var config = TestConfig.OnFreePorts();
        config.WriteTo(repo);
        var seal = Path.Combine(dir.Path, "x");
        // A long-term path that already holds a sector (say, moved from another machine).
        var store = Path.Combine(dir.Path, "store");
        Directory.CreateDirectory(Path.Combine(store, "sealed"));
        Directory.CreateDirectory(Path.Combine(store, "cache", "s-t01000-3"));
        var replica = new byte[4096];
        Random.Shared.NextBytes(replica);
        await File.WriteAllBytesAsync(Path.Combine(store, "sealed", "s-t01000-3"), replica);

        string sealId;
        await using (var silo = GranaryProcess.Start(["run", "--repo", repo]))
        {
            var health = await silo.WaitHealthyAsync(config.DashboardPort);
            var siloName = health.GetProperty("silo").GetString();

            var attached = await Cli(repo, "storage", "attach", "--init", "--seal", "--weight", "20", "--max-storage", "1GiB", seal);
            var meta = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(seal, "sectorstore.json"))).RootElement;
            sealId = meta.GetProperty("ID").GetString()!;
            Assert.Equal($"attached {seal} (ID {sealId}, use seal)", attached.Trim());
            Assert.Equal((true, false, 20UL, 1UL << 30), (meta.GetProperty("CanSeal").GetBoolean(), meta.GetProperty("CanStore").GetBoolean(),
                meta.GetProperty("Weight").GetUInt64(), meta.GetProperty("MaxStorage").GetUInt64()));
            Assert.Contains($"\"Path\": \"{seal}\"", await File.ReadAllTextAsync(Path.Combine(repo, "storage.json")));
            await Cli(repo, "storage", "attach", "--init", "--store", store);

            var list = await Cli(repo, "storage", "list");
            Assert.Contains($"{sealId}:", list);
            Assert.Contains($"\tSilo: {siloName}\n", list);
            Assert.Contains("Weight: 20; Use: Seal\n", list);
            Assert.Contains("Weight: 10; Use: Store\n", list);
            Assert.Contains($"\tLocal: {seal}\n", list);
            Assert.Contains("of 1 GiB (limit); Available: ", list);
            Assert.Contains("Unsealed: 0; Sealed: 1; Caches: 1", list);
            Assert.Contains("Sectors: s-t01000-3 (sealed,cache)", list);
            Assert.Contains($"URL: http://127.0.0.1:{config.ApiPort}/remote", list);

            var json = JsonDocument.Parse(await Cli(repo, "storage", "list", "--json")).RootElement;
            var sealPath = json.EnumerateArray().Single(p => p.GetProperty("ID").GetString() == sealId);
            Assert.True(sealPath.GetProperty("CanSeal").GetBoolean());
            Assert.True(sealPath.GetProperty("Reachable").GetBoolean());
            Assert.Equal(1L << 30, sealPath.GetProperty("Stat").GetProperty("Max").GetInt64());
            Assert.True(sealPath.GetProperty("Stat").GetProperty("Capacity").GetInt64() > 0);
            Assert.Equal(siloName, sealPath.GetProperty("Silo").GetString());

            var found = await Cli(repo, "storage", "find", "s-t01000-3");
            Assert.Contains("(sealed, cache) primary", found);
            Assert.Contains($"URL: http://127.0.0.1:{config.ApiPort}/remote/sealed/s-t01000-3", found);

            // Refusals, each one line with the reason.
            await Refused(repo, 1, "is already attached", "storage", "attach", seal);
            await Refused(repo, 1, "already initialized", "storage", "attach", "--init", "--seal", seal);
            Directory.CreateDirectory(Path.Combine(dir.Path, "bare"));
            await Refused(repo, 1, "is not a storage path", "storage", "attach", Path.Combine(dir.Path, "bare"));
            await Refused(repo, 2, "must specify at least one of --store or --seal", "storage", "attach", "--init", Path.Combine(dir.Path, "bare"));
            await Refused(repo, 2, "add --init", "storage", "attach", "--seal", Path.Combine(dir.Path, "bare"));
            await Refused(repo, 2, "--max-storage", "storage", "attach", "--init", "--seal", "--max-storage", "lots", Path.Combine(dir.Path, "bare"));
            await Refused(repo, 2, "not a sector name", "storage", "find", "sector-3");
            Assert.False(File.Exists(Path.Combine(dir.Path, "bare", "sectorstore.json")));

            // The sector's files are served to holders of an admin token only.
            using var http = new HttpClient();
            var url = $"http://127.0.0.1:{config.ApiPort}/remote/sealed/s-t01000-3";
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(url)).StatusCode);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await File.ReadAllTextAsync(Path.Combine(repo, "token")));
            using var response = await http.SendAsync(request);
            Assert.Equal(replica, await response.Content.ReadAsByteArrayAsync());
            await silo.TerminateAsync();
        }

        // storage.json brings the paths back after a restart.
        await using (var again = GranaryProcess.Start(["run", "--repo", repo]))
        {
            await again.WaitHealthyAsync(config.DashboardPort);
            var json = JsonDocument.Parse(await Cli(repo, "storage", "list", "--json")).RootElement;
            Assert.Equal(2, json.GetArrayLength());
            Assert.Contains(json.EnumerateArray(), p => p.GetProperty("ID").GetString() == sealId && p.GetProperty("LocalPath").GetString() == seal);
            await again.TerminateAsync();
        }
    }

    [Fact]
    public async Task A_markets_only_silo_keeps_no_sector_files_and_says_where_to_attach_them()
    {
        using var dir = new TempDirectory();
        var repo = Path.Combine(dir.Path, "repo");
        var config = TestConfig.OnFreePorts(subsystems: "EnableMining = false\nEnableSealing = false\nEnableSectorStorage = false");
        config.WriteTo(repo);
        await using var silo = GranaryProcess.Start(["run", "--repo", repo]);
        await silo.WaitHealthyAsync(config.DashboardPort);

        await Refused(repo, 1, "runs no sector storage", "storage", "attach", "--init", "--seal", Path.Combine(dir.Path, "x"));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "x")));
        // The cluster has no silo that may host the sector index either.
        await Refused(repo, 1, "No active silo enables the SectorStorage subsystem", "storage", "list");
        await silo.TerminateAsync();
    }

    [Fact]
    public async Task A_malformed_storage_json_stops_startup_with_one_line_naming_it()
    {
        using var dir = new TempDirectory();
        var config = TestConfig.OnFreePorts();
        config.WriteTo(dir.Path);
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "storage.json"), """{"StoragePaths":[{"Path":"relative/seal"}]}""");

        var (code, output) = await GranaryProcess.RunAsync(["run", "--repo", dir.Path]);

        Assert.Equal(1, code);
        Assert.Contains($"granary: {Path.Combine(dir.Path, "storage.json")}: \"relative/seal\" is not an absolute path", output);
        Assert.DoesNotContain("   at ", output);
    }

    private static async Task<string> Cli(string repo, params string[] args)
    {
        var (code, output) = await GranaryProcess.RunAsync([.. args, "--repo", repo]);
        Assert.True(code == 0, $"granary {string.Join(' ', args)} exited {code}:\n{output}");
        return output;
    }

    private static async Task Refused(string repo, int exitCode, string message, params string[] args)
    {
        var (code, output) = await GranaryProcess.RunAsync([.. args, "--repo", repo]);
        Assert.True(code == exitCode, $"granary {string.Join(' ', args)} exited {code}, expected {exitCode}:\n{output}");
        Assert.Contains(message, output);
        Assert.Single(output.Trim().Split('\n'));
    }
}
