using System.Diagnostics;
using System.Text.Json;

namespace Granary.Silo.Tests.Support;

/// <summary>
/// The independent Lotus JSON-RPC client of tests/interop/lotus (Filecoin Shipyard's lotus-client-rpc from npm):
/// <c>node client.mjs URL TOKEN MINER ADDRESS</c>, one JSON line per call.
/// </summary>
public static class LotusJsClient
{
    public static async Task<IReadOnlyList<JsonElement>> RunAsync(string url, string token, string miner, string address)
    {
        var dir = Path.Combine(RepoRoot.Path, "tests", "interop", "lotus");
        if (!Directory.Exists(Path.Combine(dir, "node_modules")))
        {
            throw new InvalidOperationException($"{dir}/node_modules is missing: run ./test.sh (or tests/setup/30-npm.sh) to install the Lotus JS client");
        }

        var info = new ProcessStartInfo("node") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "client.mjs", url, token, miner, address })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("node is not installed");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node client.mjs did not finish: {await stderr}");
        }

        Assert.True(process.ExitCode == 0, $"node client.mjs failed ({process.ExitCode}): {await stderr}");
        return [.. (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    /// <summary>The result of <paramref name="call"/>; fails the test if it was an error.</summary>
    public static JsonElement Result(IReadOnlyList<JsonElement> lines, string call)
    {
        var line = Line(lines, call);
        Assert.True(line.TryGetProperty("result", out var result), $"{call} failed: {line}");
        return result;
    }

    public static JsonElement Line(IReadOnlyList<JsonElement> lines, string call) =>
        Assert.Single(lines, l => l.GetProperty("call").GetString() == call);
}
