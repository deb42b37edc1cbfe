// ./bench.sh libp2p: one JSON object per line, the summary last (see docs/benchmarks.md, "libp2p").
//   --interop DIR      tests/interop/libp2p (run.sh passes it)
//   --cs-mib N         MiB through the C#→C# /sink stream (default 1024)
//   --js-mib N         MiB through each stream with a js end, as bench.mjs (default 256)
//   --handshakes N     C#→C# handshake + 1 RTT samples (default 300, after 20 warm-up)
//   --seconds S        streams/s duration per concurrency (default 3)
//   --chunk-kib N      bytes per WriteAsync / send() while pushing (default 256, as bench.mjs)
//   --repeats N        interleaved repeats of the crypto ceiling and the C#→C# push (default 3; medians are reported)
using System.Globalization;
using System.Text.Json;
using Granary.Bench.Libp2p;

var options = ParseArguments(args);
var interop = options.GetValueOrDefault("interop") ?? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../tests/interop/libp2p"));
var csMib = Number("cs-mib", 1024);
var jsMib = Number("js-mib", 256);
var handshakes = (int)Number("handshakes", 300);
var seconds = Number("seconds", 3);
var chunk = (int)(Number("chunk-kib", 256) * 1024);
var repeats = (int)Number("repeats", 3);
const double MiB = HostBench.MiB;

Emit(new { measure = "setup", cpus = Environment.ProcessorCount, dotnet = Environment.Version.ToString(), cs_mib = csMib, js_mib = jsMib, handshakes, seconds, chunk_kib = chunk / 1024, load_average = LoadAverage() });

// (d) and (a), interleaved and repeated (the machine is shared, so a ratio is only fair between neighbours in time):
// (d) the ceiling for one encrypted stream, seal + open of full Noise frames on one thread; (a) one C#→C# stream
// through /sink/1.0.0 over loopback TCP + Noise + Yamux (both hosts in this process). The summary takes medians.
// Each repeat also runs (a) with yamux DATA frames of 3 × 65519 - 12 bytes, written one frame per WriteAsync: header +
// payload fill exactly three Noise frames, which NoiseTransportStream sends in one socket write, where the default
// 256 KiB frames take five Noise frames (the last of 80 bytes) and two socket writes. Not a key: it shows what
// aligning the two layers is worth.
const int alignedFrame = (3 * Layers.NoiseFrame) - 12;
Layers.CryptoCeiling(TimeSpan.FromMilliseconds(300));
List<double> cryptoRuns = [], csCsRuns = [], alignedRuns = [];
for (var repeat = 0; repeat < repeats; repeat++)
{
    cryptoRuns.Add(Layers.CryptoCeiling(TimeSpan.FromSeconds(1)));
    csCsRuns.Add(await CsCsSinkAsync(null, chunk));
    alignedRuns.Add(await CsCsSinkAsync(new Granary.Libp2p.Yamux.YamuxOptions { MaxFrameSize = alignedFrame }, alignedFrame));
    Emit(new { measure = "cs_cs_sink", repeat, bytes = (long)(csMib * MiB), chunk_kib = chunk / 1024, mib_s = R(csCsRuns[^1], 1), crypto_ceiling_mib_s = R(cryptoRuns[^1], 1), frame_aligned_mib_s = R(alignedRuns[^1], 1), load_average = LoadAverage() });
}

var crypto = Median(cryptoRuns);
var csCs = Median(csCsRuns);
Emit(new { measure = "crypto_ceiling", frame_bytes = Layers.NoiseFrame, runs = cryptoRuns.Select(r => R(r, 1)), median_mib_s = R(crypto, 1) });
Emit(new { measure = "cs_cs", runs = csCsRuns.Select(r => R(r, 1)), median_mib_s = R(csCs, 1), frame_aligned_runs = alignedRuns.Select(r => R(r, 1)), frame_aligned_median_mib_s = R(Median(alignedRuns), 1), yamux_max_frame_aligned = alignedFrame });

// Breakdown of (a): the same push through each layer alone.
{
    var total = (long)(Math.Min(csMib, 512) * MiB);
    await Layers.TcpAsync(64 * (long)MiB, chunk);
    var tcp = await Layers.TcpAsync(total, chunk);
    await Layers.NoiseAsync(64 * (long)MiB, chunk);
    var noise = await Layers.NoiseAsync(total, chunk);
    await Layers.YamuxOverNoiseAsync(64 * (long)MiB, chunk);
    var yamux = await Layers.YamuxOverNoiseAsync(total, chunk);
    Emit(new { measure = "cs_cs_layers", bytes = total, tcp_mib_s = R(tcp, 1), noise_mib_s = R(noise, 1), yamux_over_noise_mib_s = R(yamux, 1), host_mib_s = R(csCs, 1) });
}

// (b) js↔js: bench.mjs dials a peer.mjs it starts itself (two Node processes).
var jsJsLines = await NodeScript.RunBenchAsync(interop, TimeSpan.FromMinutes(3), $"--mib={jsMib}", $"--chunk-kib={chunk / 1024}", $"--seconds={seconds}");
var jsJs = jsJsLines[^1];
var jsJsMib = jsJs["js_js_mib_s"]!.GetValue<double>();
Emit(new { measure = "js_js", source = "tests/interop/libp2p/bench.mjs", mib_s = jsJsMib, handshake_ms_p50 = jsJs["js_js_handshake_ms_p50"]?.GetValue<double>(), handshake_ms_p99 = jsJs["js_js_handshake_ms_p99"]?.GetValue<double>(), streams_per_s = jsJs["js_js_streams_per_s"]?.GetValue<double>() });

// (c) C#↔js both ways: js (bench.mjs --target) pushing into our /sink, and C# pushing into js's /sink.
double jsToCs, csToJs;
{
    await using var server = await HostBench.StartAsync();
    var lines = await NodeScript.RunBenchAsync(interop, TimeSpan.FromMinutes(3), "--target", HostBench.AddressOf(server).ToString(), "--prefix=js_cs", $"--mib={jsMib}", $"--chunk-kib={chunk / 1024}", $"--seconds={seconds}");
    var summary = lines[^1];
    jsToCs = summary["js_cs_mib_s"]!.GetValue<double>();
    Emit(new { measure = "js_to_cs", source = "bench.mjs --target <C# host>", mib_s = jsToCs, handshake_ms_p50 = summary["js_cs_handshake_ms_p50"]?.GetValue<double>(), handshake_ms_p99 = summary["js_cs_handshake_ms_p99"]?.GetValue<double>(), streams_per_s = summary["js_cs_streams_per_s"]?.GetValue<double>() });

    await using var js = await JsListener.StartAsync(interop);
    await using var client = await HostBench.StartAsync();
    var target = Granary.Libp2p.Multiaddrs.Multiaddr.Parse(js.Address);
    await using (var warm = await client.NewStreamAsync(target, HostBench.Sink))
    {
        await HostBench.PushAsync(warm, 32 * (long)MiB, chunk);
    }

    await using var stream = await client.NewStreamAsync(target, HostBench.Sink);
    csToJs = await HostBench.PushAsync(stream, (long)(jsMib * MiB), chunk);
    Emit(new { measure = "cs_to_js", mib_s = R(csToJs, 1) });
}

var csJs = Math.Min(jsToCs, csToJs);
Emit(new { measure = "cs_js", js_to_cs_mib_s = R(jsToCs, 1), cs_to_js_mib_s = R(csToJs, 1), cs_js_mib_s = R(csJs, 1), key = "the lower of the two" });

// (e) Handshake + 1 RTT, C#→C#: fresh TCP + Noise + Yamux connection, one ping, close.
double p50, p99;
{
    await using var server = await HostBench.StartAsync();
    await using var client = await HostBench.StartAsync();
    var (total, dial, ping) = await HostBench.HandshakesAsync(client, HostBench.AddressOf(server), warmup: 20, handshakes);
    p50 = HostBench.Percentile(total, 50);
    p99 = HostBench.Percentile(total, 99);
    Emit(new
    {
        measure = "handshake_plus_one_rtt",
        n = total.Count,
        p50_ms = R(p50),
        p99_ms = R(p99),
        mean_ms = R(total.Average()),
        min_ms = R(total.Min()),
        max_ms = R(total.Max()),
        dial_ms_p50 = R(HostBench.Percentile(dial, 50)),
        ping_ms_p50 = R(HostBench.Percentile(ping, 50)),
    });
}

// (f) Streams/s on one connection: open /echo/1.0.0, 1 KiB, FIN, read the echo, close; 8 workers (as bench.mjs) and 1.
double streamsPerS;
{
    await using var server = await HostBench.StartAsync();
    await using var client = await HostBench.StartAsync();
    var connection = await client.DialAsync(HostBench.AddressOf(server));
    await HostBench.StreamsAsync(connection, TimeSpan.FromMilliseconds(300), 8, 1024);
    var (streams, elapsed) = await HostBench.StreamsAsync(connection, TimeSpan.FromSeconds(seconds), 8, 1024);
    streamsPerS = streams / elapsed;
    var (single, singleElapsed) = await HostBench.StreamsAsync(connection, TimeSpan.FromSeconds(seconds), 1, 1024);
    Emit(new { measure = "streams", stream_bytes = 1024, concurrency = 8, streams, seconds = R(elapsed), streams_per_s = R(streamsPerS, 1), streams_per_s_concurrency_1 = R(single / singleElapsed, 1) });
}

Emit(new
{
    cs_cs_mib_s = R(csCs, 1),
    js_js_mib_s = R(jsJsMib, 1),
    cs_js_mib_s = R(csJs, 1),
    crypto_ceiling_mib_s = R(crypto, 1),
    handshake_ms_p50 = R(p50),
    handshake_ms_p99 = R(p99),
    streams_per_s = R(streamsPerS, 1),
    cs_vs_js = R(csCs / jsJsMib, 2),
    cs_vs_crypto_ceiling = R(csCs / crypto, 3),
});

async Task<double> CsCsSinkAsync(Granary.Libp2p.Yamux.YamuxOptions? yamux, int writeBytes)
{
    await using var server = await HostBench.StartAsync(yamux);
    await using var client = await HostBench.StartAsync(yamux);
    var target = HostBench.AddressOf(server);
    await using (var warm = await client.NewStreamAsync(target, HostBench.Sink))
    {
        await HostBench.PushAsync(warm, 64 * (long)MiB, writeBytes);
    }

    await using var stream = await client.NewStreamAsync(target, HostBench.Sink);
    return await HostBench.PushAsync(stream, (long)(csMib * MiB), writeBytes);
}

double Number(string name, double fallback) =>
    options.TryGetValue(name, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

static Dictionary<string, string> ParseArguments(string[] args)
{
    var parsed = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"unknown argument {args[i]}");
        }

        var name = args[i][2..];
        var eq = name.IndexOf('=', StringComparison.Ordinal);
        if (eq >= 0)
        {
            parsed[name[..eq]] = name[(eq + 1)..];
        }
        else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            parsed[name] = args[++i];
        }
        else
        {
            parsed[name] = "1";
        }
    }

    return parsed;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static void Emit(object value) => Console.WriteLine(JsonSerializer.Serialize(value));

static double R(double value, int digits = 3) => Math.Round(value, digits);

static string LoadAverage()
{
    try
    {
        return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
    }
    catch (IOException)
    {
        return "unknown";
    }
}
