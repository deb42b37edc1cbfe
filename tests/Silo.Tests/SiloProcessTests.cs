using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Granary.Silo.Tests.Support;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Granary.Silo.Tests;

/// <summary>The real <c>granary</c> executable, started as a process against a temp repo.</summary>
public sealed class SiloProcessTests
{
    [Fact]
    public async Task Embedded_default_serves_health_dashboard_and_authenticated_api_then_stops_on_sigterm()
    {
        using var dir = new TempDirectory();
        var repo = Path.Combine(dir.Path, "repo");
        var config = TestConfig.OnFreePorts();
        config.WriteTo(repo);
        await using var silo = GranaryProcess.Start(["run", "--repo", repo]);

        var health = await silo.WaitHealthyAsync(config.DashboardPort);
        Assert.Equal(["Mining", "Sealing", "SectorStorage", "Markets"], health.GetProperty("subsystems").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("sqlite", health.GetProperty("database").GetString());
        Assert.Equal(health.GetProperty("silo").GetString(), health.GetProperty("members")[0].GetProperty("name").GetString());

        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{config.DashboardPort}/dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{config.ApiPort}/healthz")).StatusCode);

        // Secrets are owner-only.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(repo, "token")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(repo, "keystore", "auth-jwt-private")));
        Assert.Equal($"/ip4/127.0.0.1/tcp/{config.ApiPort}/http", File.ReadAllText(Path.Combine(repo, "api")));

        // info, human and JSON.
        var (code, text) = await GranaryProcess.RunAsync(["info", "--repo", repo]);
        Assert.True(code == 0, text);
        Assert.Contains("Mining, Sealing, SectorStorage, Markets", text);
        var (_, json) = await GranaryProcess.RunAsync(["info", "--json", "--repo", repo]);
        Assert.Equal(1, JsonDocument.Parse(json).RootElement.GetProperty("Members").GetArrayLength());

        // Tokens: none → 401, forged → 401, read-only → permission error; admin works.
        var rpc = $"http://127.0.0.1:{config.ApiPort}/rpc/v0";
        var authNew = """{"jsonrpc":"2.0","method":"Filecoin.AuthNew","params":[["read"]],"id":7}""";
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(http, rpc, authNew, null)).StatusCode);
        var admin = File.ReadAllText(Path.Combine(repo, "token"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(http, rpc, authNew, admin[..^2] + "AA")).StatusCode);

        var (_, readInfo) = await GranaryProcess.RunAsync(["auth", "api-info", "--perm", "read", "--repo", repo]);
        Assert.StartsWith("MINER_API_INFO=ey", readInfo);
        var readToken = readInfo.Trim()["MINER_API_INFO=".Length..].Split(':')[0];
        var refused = await (await PostAsync(http, rpc, authNew, readToken)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(refused.TryGetProperty("result", out _));
        Assert.Contains("need 'admin'", refused.GetProperty("error").GetProperty("message").GetString());
        var granted = await (await PostAsync(http, rpc, authNew, admin)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(7, granted.GetProperty("id").GetInt32());
        Assert.StartsWith("ey", Encoding.ASCII.GetString(Convert.FromBase64String(granted.GetProperty("result").GetString()!)));

        // MINER_API_INFO works in place of the repo files.
        var (envCode, envText) = await GranaryProcess.RunAsync(["info"], new Dictionary<string, string?> { ["MINER_API_INFO"] = readInfo.Trim()["MINER_API_INFO=".Length..] });
        Assert.True(envCode == 0, envText);

        var stopTime = await silo.TerminateAsync();
        Assert.True(stopTime < TimeSpan.FromSeconds(10), $"stop took {stopTime}");
        Assert.Equal(0, silo.ExitCode);
        Assert.False(File.Exists(Path.Combine(repo, "api")));
    }

    [Fact]
    public async Task Grain_state_survives_a_crash_and_a_clean_restart()
    {
        using var dir = new TempDirectory();
        var config = TestConfig.OnFreePorts();
        config.WriteTo(dir.Path);

        for (var start = 1; start <= 3; start++)
        {
            await using var silo = GranaryProcess.Start(["run", "--repo", dir.Path]);
            await silo.WaitHealthyAsync(config.DashboardPort);
            var (_, json) = await GranaryProcess.RunAsync(["info", "--json", "--repo", dir.Path]);
            Assert.Equal(start, JsonDocument.Parse(json).RootElement.GetProperty("ClusterSiloStarts").GetInt64());
            if (start == 1)
            {
                silo.Kill(); // a crash: no graceful shutdown, the membership row stays "Active"
            }
        }
    }

    [Fact]
    public async Task A_missing_repo_is_created_from_GRANARY_PATH_and_a_second_silo_cannot_share_it()
    {
        using var dir = new TempDirectory();
        var repo = Path.Combine(dir.Path, "fresh");
        var env = new Dictionary<string, string?> { ["GRANARY_PATH"] = repo };
        await using var silo = GranaryProcess.Start(["run"], env);

        // The embedded default: admin endpoint on 127.0.0.1:8080.
        var health = await silo.WaitHealthyAsync(8080);
        Assert.Equal(4, health.GetProperty("subsystems").GetArrayLength());
        Assert.Equal(DefaultConfigTextForTests, File.ReadAllText(Path.Combine(repo, "config.toml")));
        Assert.True(File.Exists(Path.Combine(repo, "granary.db")));

        var (code, output) = await GranaryProcess.RunAsync(["run"], env);
        Assert.Equal(1, code);
        Assert.Contains("in use by another granary process", output);
    }

    private static string DefaultConfigTextForTests => Configuration.DefaultConfigText.Text;

    [Fact]
    public async Task A_bad_config_stops_startup_with_file_and_line()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "config.toml"), "[Cluster]\nSiloPort = 11111\nColor = \"blue\"\n");

        var (code, output) = await GranaryProcess.RunAsync(["run", "--repo", dir.Path]);

        Assert.Equal(2, code);
        Assert.Contains($"{Path.Combine(dir.Path, "config.toml")}:3: [Cluster] Color is not a known setting", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task Info_against_a_stopped_silo_is_one_line()
    {
        using var dir = new TempDirectory();
        var port = FreePorts.Take(1)[0];
        var (code, output) = await GranaryProcess.RunAsync(["info"],
            new Dictionary<string, string?> { ["MINER_API_INFO"] = $"eyJ.eyJ.sig:/ip4/127.0.0.1/tcp/{port}/http" });

        Assert.Equal(1, code);
        Assert.Single(output.Trim().Split('\n'));
        Assert.Contains("cannot reach the granary API", output);
    }

    [Fact]
    public async Task Config_default_prints_a_file_that_validates()
    {
        using var dir = new TempDirectory();
        var (code, text) = await GranaryProcess.RunAsync(["config", "default"]);
        Assert.Equal(0, code);
        var file = Path.Combine(dir.Path, "c.toml");
        File.WriteAllText(file, text);

        var (validateCode, validated) = await GranaryProcess.RunAsync(["config", "validate", file]);

        Assert.True(validateCode == 0, validated);
        Assert.Contains("ok", validated);
    }

    [Fact]
    public async Task Db_migrate_applies_the_schema()
    {
        using var dir = new TempDirectory();
        var (code, output) = await GranaryProcess.RunAsync(["db", "migrate", "--repo", dir.Path, "--database", "sqlite:x.db"]);

        Assert.True(code == 0, output);
        Assert.Contains("20 Orleans queries", output);
        Assert.True(File.Exists(Path.Combine(dir.Path, "x.db")));
    }

    [Fact]
    public async Task Bench_sealing_seals_proves_and_unseals_a_2KiB_sector()
    {
        var (code, output) = await GranaryProcess.RunAsync(["bench", "sealing", "--sector-size", "2KiB", "--json"]);

        Assert.True(code == 0, output);
        var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal("2KiB", result.GetProperty("SectorSize").GetString());
        var stages = result.GetProperty("Stages").EnumerateArray().Select(s => s.GetProperty("Name").GetString()!).ToArray();
        Assert.Equal(["AddPiece", "PreCommit1", "PreCommit2", "Commit1", "Commit2", "VerifySeal", "Finalize", "WindowPoSt",
            "VerifyWindowPoSt", "WinningPoSt", "VerifyWinningPoSt", "Unseal"], stages);
    }

    [Fact]
    public async Task Bench_sealing_refuses_an_unknown_size()
    {
        var (code, output) = await GranaryProcess.RunAsync(["bench", "sealing", "--sector-size", "3KiB"]);

        Assert.Equal(2, code);
        Assert.Contains("unsupported sector size '3KiB'", output);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string url, string body, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        return http.SendAsync(request);
    }
}
