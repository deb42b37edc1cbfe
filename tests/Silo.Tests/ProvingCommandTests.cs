using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary>
/// <c>granary proving info|deadlines|faults|check</c> against the embedded default as real processes: <c>granary init</c>
/// creates the miner, <c>granary run</c> (1 s blocks) proves for it, and the CLI shows lotus-miner's fields and columns.
/// </summary>
public sealed class ProvingCommandTests
{
    [Fact]
    public async Task Proving_commands_show_the_period_the_deadlines_the_faults_and_check_a_deadline()
    {
        using var dir = new TempDirectory();
        var repo = Path.Combine(dir.Path, "repo");
        var config = TestConfig.OnFreePorts(chain: "DevnetBlockDelaySeconds = 1");
        config.WriteTo(repo);
        var (code, output) = await GranaryProcess.RunAsync(["init", "--sector-size", "2KiB", "--repo", repo]);
        Assert.True(code == 0, output);
        var miner = output.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("t0", StringComparison.Ordinal));

        await using var silo = GranaryProcess.Start(["run", "--repo", repo]);
        await silo.WaitHealthyAsync(config.DashboardPort);

        // The scheduler follows the chain from the start: it acts on heads as they come.
        JsonElement info;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        do
        {
            info = JsonDocument.Parse(await Cli(repo, "proving", "info", "--json")).RootElement.Clone();
            Assert.True(DateTime.UtcNow < deadline, $"the scheduler never acted on a head: {info}");
        }
        while (info.GetProperty("Scheduler").GetProperty("Settled").GetInt64() < 1);

        Assert.Equal(miner, info.GetProperty("Miner").GetString());
        Assert.Equal((480, 48), (info.GetProperty("ProvingPeriod").GetInt64(), info.GetProperty("PeriodDeadlines").GetInt64()));
        var now = info.GetProperty("CurrentEpoch").GetInt64();
        var d = info.GetProperty("Deadline");
        Assert.InRange(now, d.GetProperty("Open").GetInt64(), d.GetProperty("Close").GetInt64() - 1);
        Assert.Equal(d.GetProperty("Open").GetInt64() - 4, d.GetProperty("Challenge").GetInt64());
        Assert.Equal(d.GetProperty("Open").GetInt64() - 6, d.GetProperty("FaultCutoff").GetInt64());
        Assert.Equal(info.GetProperty("PeriodStart").GetInt64() + 480, info.GetProperty("NextPeriodStart").GetInt64());
        Assert.Equal((0, 0), (info.GetProperty("Sectors").GetInt32(), info.GetProperty("Faults").GetInt32()));
        Assert.Equal(JsonValueKind.Null, info.GetProperty("Winning").ValueKind); // no power, no blocks won
        Assert.Single(info.GetProperty("Provers").EnumerateArray());

        var text = await Cli(repo, "proving", "info");
        Assert.Contains($"Miner: {miner}", text);
        Assert.Matches(@"Current Epoch:\s+\d+", text);
        Assert.Matches(@"Proving Period Start:\s+-?\d+ \(\d+ epochs ago\)", text);
        Assert.Contains("Faults:      0 (0.00%)", text);
        Assert.Matches(@"Deadline Index:\s+\d+", text);
        Assert.Matches(@"Deadline FaultCutoff: -?\d+ \(\d+ epochs ago\)", text);
        Assert.Contains("WinningPoSt:          none computed yet", text);

        var deadlines = (await Cli(repo, "proving", "deadlines")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"Miner: {miner}", deadlines[0]);
        Assert.Matches(@"^deadline\s+open\s+partitions\s+sectors \(faults\)\s+proven partitions\s+post$", deadlines[1]);
        Assert.Equal(48, deadlines.Length - 2);
        Assert.Single(deadlines, l => l.Contains("(current)", StringComparison.Ordinal));
        Assert.All(deadlines.Skip(2), l => Assert.Matches(@"^\d+( \(current\))?\s+-?\d+\s+0\s+0 \(0\)\s+0$", l));
        var json = JsonDocument.Parse(await Cli(repo, "proving", "deadlines", "--json")).RootElement;
        Assert.Equal(48, json.GetArrayLength());

        var faults = (await Cli(repo, "proving", "faults")).Trim().Split('\n');
        Assert.Equal([$"Miner: {miner}", "deadline  partition  sectors"], faults);
        Assert.Equal("deadline  partition  sector  status", (await Cli(repo, "proving", "check", "0")).Trim());
        Assert.Equal("[]", (await Cli(repo, "proving", "check", "3", "--only-bad", "--json")).Trim());

        // Refusals: one line each.
        var (badCode, bad) = await GranaryProcess.RunAsync(["proving", "check", "48", "--repo", repo]);
        Assert.Equal(1, badCode);
        Assert.Contains("deadline 48 does not exist: a proving period has deadlines 0 to 47", bad);
        Assert.Single(bad.Trim().Split('\n'));
        var (parseCode, parse) = await GranaryProcess.RunAsync(["proving", "check", "zero", "--repo", repo]);
        Assert.NotEqual(0, parseCode);
        Assert.Contains("zero", parse);
        var (_, readInfo) = await GranaryProcess.RunAsync(["auth", "api-info", "--perm", "read", "--repo", repo]);
        var readToken = readInfo.Trim()["MINER_API_INFO=".Length..].Split(':')[0];
        Assert.Contains("need 'admin'", (await PostAsync(config.ApiPort, readToken, "Filecoin.ProvingCheck", "[0]"))
            .GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(miner, (await PostAsync(config.ApiPort, readToken, "Filecoin.ProvingInfo", "[]")).GetProperty("result").GetProperty("Miner").GetString());
        Assert.Contains("is not a deadline index", (await PostAsync(config.ApiPort, File.ReadAllText(Path.Combine(repo, "token")), "Filecoin.ProvingCheck", "[-1]"))
            .GetProperty("error").GetProperty("message").GetString());

        await silo.TerminateAsync();
        Assert.True(silo.ExitCode == 0, silo.Output);
    }

    private static async Task<JsonElement> PostAsync(int port, string token, string method, string parameters)
    {
        using var http = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/rpc/v0")
        {
            Content = new StringContent($$"""{"jsonrpc":"2.0","method":"{{method}}","params":{{parameters}},"id":1}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);
        return await (await http.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Task<string> Cli(string repo, params string[] args) => RepoCli.RunAsync(repo, args);
}
