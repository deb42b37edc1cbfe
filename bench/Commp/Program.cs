// ./bench.sh commp: one JSON object per line, the summary last.
using System.Diagnostics;
using System.Text.Json;
using Granary.Filecoin.Pieces;

var native = args[0];
var interop = args[1];
var streamGiB = args.Length > 2 ? long.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 32;

// 1. 32 GiB from a generator, first, so the process's peak RSS belongs to this run alone.
var watch = Stopwatch.StartNew();
var big = await CommP.ComputeAsync(new GeneratorStream(streamGiB << 30));
var streamSeconds = watch.Elapsed.TotalSeconds;
using var self = Process.GetCurrentProcess();
self.Refresh();
var peakRss = self.PeakWorkingSet64 / 1048576.0;
Emit(new { stage = "stream", gib = streamGiB, seconds = streamSeconds, gib_per_s = streamGiB / streamSeconds, peak_rss_mib = peakRss, piece = big.CidV1.ToString() });

// 2. 1 GiB random payload from a file (page cache), 1 thread and all cores, and the native SHA-NI reference.
var file = Path.Combine(Path.GetTempPath(), $"granary-commp-{Environment.ProcessId}.bin");
var random = new Random(1);
await using (var output = File.Create(file))
{
    var buffer = new byte[1 << 20];
    for (var i = 0; i < 1024; i++)
    {
        random.NextBytes(buffer);
        output.Write(buffer);
    }
}

try
{
    var oneThread = await Time(file, 1);
    var allCores = await Time(file, Environment.ProcessorCount);
    var nativeRun = Run(native, file).Split(' ');
    var nativeRate = 1 / double.Parse(nativeRun[1], System.Globalization.CultureInfo.InvariantCulture);
    Emit(new { stage = "native_sha_ni", gib_per_s = nativeRate, agrees = nativeRun[0] == Convert.ToHexStringLower(oneThread.Result.Commitment) });

    // 3. data-segment (JavaScript) on 64 MiB of the same payload.
    var sample = Path.Combine(Path.GetTempPath(), $"granary-commp-64m-{Environment.ProcessId}.bin");
    await using (var output = File.Create(sample))
    await using (var input = File.OpenRead(file))
    {
        var buffer = new byte[64 << 20];
        await input.ReadExactlyAsync(buffer);
        await output.WriteAsync(buffer);
    }

    var js = JsonDocument.Parse(Run("node", Path.Combine(interop, "commp.mjs"), "--time", sample).Trim()).RootElement;
    File.Delete(sample);
    var dataSegment = (64.0 / 1024) / js.GetProperty("seconds").GetDouble();
    Emit(new { stage = "data_segment", mib = 64, seconds = js.GetProperty("seconds").GetDouble(), gib_per_s = dataSegment });

    Emit(new
    {
        summary = true,
        gib_per_s_1t = Math.Round(oneThread.Rate, 3),
        gib_per_s_all = Math.Round(allCores.Rate, 3),
        peak_rss_mib_32gib = Math.Round(peakRss, 1),
        datasegment_gib_per_s = Math.Round(dataSegment, 4),
        speedup_vs_datasegment = Math.Round(oneThread.Rate / dataSegment, 1),
        native_sha_ni_gib_per_s = Math.Round(nativeRate, 3),
        ratio_1t_vs_native = Math.Round(oneThread.Rate / nativeRate, 3),
        stream_gib = streamGiB,
        stream_gib_per_s = Math.Round(streamGiB / streamSeconds, 3),
        cores = Environment.ProcessorCount,
    });
}
finally
{
    File.Delete(file);
}

static async Task<(double Rate, CommP.Result Result)> Time(string file, int threads)
{
    await using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
    var watch = Stopwatch.StartNew();
    var result = await CommP.ComputeAsync(input, threads);
    var rate = 1 / watch.Elapsed.TotalSeconds;
    Emit(new { stage = "commp_1gib", threads, seconds = watch.Elapsed.TotalSeconds, gib_per_s = rate, piece = result.CidV1.ToString() });
    return (rate, result);
}

static string Run(string program, params string[] arguments)
{
    var info = new ProcessStartInfo(program) { RedirectStandardOutput = true };
    foreach (var a in arguments)
    {
        info.ArgumentList.Add(a);
    }

    using var process = Process.Start(info)!;
    var output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{program} failed");
}

static void Emit(object value) => Console.WriteLine(JsonSerializer.Serialize(value));

/// <summary>Pseudo-random bytes (xorshift64*) without storing them: a payload that never touches disk.</summary>
sealed class GeneratorStream(long length) : Stream
{
    private long _position;
    private ulong _state = 0x9E3779B97F4A7C15;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - _position) & ~7;
        if (n == 0 && _position < length)
        {
            n = (int)Math.Min(buffer.Length, length - _position);
            buffer[..n].Clear();
        }

        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(buffer[..(n & ~7)]);
        for (var i = 0; i < words.Length; i++)
        {
            _state ^= _state >> 12;
            _state ^= _state << 25;
            _state ^= _state >> 27;
            words[i] = _state * 0x2545F4914F6CDD1D;
        }

        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
