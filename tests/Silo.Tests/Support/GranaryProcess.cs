using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Granary.Silo.Tests.Support;

/// <summary>A real <c>granary</c> process (the built executable), with its output captured.</summary>
public sealed class GranaryProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GranaryProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts <c>granary ARGS</c> with extra environment; inside the network namespace <paramref name="networkNamespace"/>
    /// (<c>ip netns exec</c>, which needs root) when one is given.
    /// </summary>
    public static GranaryProcess Start(IEnumerable<string> args, IDictionary<string, string?>? environment = null, string? networkNamespace = null)
    {
        var info = new ProcessStartInfo(networkNamespace is null ? "dotnet" : "ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (networkNamespace is not null)
        {
            // ip execs the command after entering the namespace: the process is the granary process itself.
            foreach (var a in new[] { "netns", "exec", networkNamespace, "dotnet" })
            {
                info.ArgumentList.Add(a);
            }
        }

        info.ArgumentList.Add(RepoRoot.GranaryDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment.Remove("MINER_API_INFO");
        info.Environment.Remove("GRANARY_PATH");
        info.Environment.Remove("MARKETS_API_INFO");
        info.Environment.Remove("GRANARY_MINER_PATH");
        info.Environment.Remove("GRANARY_MARKETS_PATH");
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[k] = v;
        }

        return new GranaryProcess(Process.Start(info)!);
    }

    /// <summary>Runs a short CLI command to completion (in <paramref name="networkNamespace"/> if given; 60 s unless
    /// <paramref name="timeout"/> says otherwise): (exit code, stdout+stderr).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> args, IDictionary<string, string?>? environment = null,
        string? networkNamespace = null, TimeSpan? timeout = null)
    {
        await using var p = Start(args, environment, networkNamespace);
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await p._process.WaitForExitAsync(deadline.Token);
        p._process.WaitForExit(); // drains the async output readers
        return (p.ExitCode, p.Output);
    }

    /// <summary>Waits (60 s) for an output line starting with <paramref name="prefix"/> and returns the rest of it.</summary>
    public async Task<string> WaitForLineAsync(string prefix)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var line = Output.Split('\n', StringSplitOptions.TrimEntries).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (line is not null)
            {
                return line[prefix.Length..];
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"granary exited with {_process.ExitCode} before printing {prefix}:\n{Output}");
            }

            await Task.Delay(100); // polling interval while the process starts
        }

        throw new TimeoutException($"granary printed no line {prefix}:\n{Output}");
    }

    /// <summary>Polls <c>/healthz</c> until it answers with <paramref name="members"/> active members.</summary>
    public async Task<JsonElement> WaitHealthyAsync(int dashboardPort, int members = 1, TimeSpan? timeout = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"granary exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                var health = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{dashboardPort}/healthz");
                if (health.GetProperty("members").GetArrayLength() >= members)
                {
                    return health;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not up yet
            }

            await Task.Delay(250); // polling interval while the silo starts
        }

        throw new TimeoutException($"granary did not become healthy:\n{Output}");
    }

    /// <summary>Sends SIGTERM and waits for exit; returns how long the stop took.</summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        if (!_process.HasExited)
        {
            Signal(_process.Id, "TERM");
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(cts.Token);
        }

        return watch.Elapsed;
    }

    /// <summary>Kills the process abruptly, as a crash or power loss would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await TerminateAsync(TimeSpan.FromSeconds(15));
            }
            catch (OperationCanceledException)
            {
                Kill();
            }
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static void Signal(int pid, string signal) =>
        Process.Start(new ProcessStartInfo("kill", $"-{signal} {pid}") { UseShellExecute = false })!.WaitForExit();
}
