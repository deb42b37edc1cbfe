using System.Diagnostics;
using System.Text;
using Granary.Libp2p.Host;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;
using Granary.Libp2p.Yamux;

namespace Granary.Bench.Libp2p;

/// <summary>Host-level measurements: a /sink push, handshake + 1 RTT, streams per second; and the protocols they use.</summary>
internal static class HostBench
{
    public const string Sink = "/sink/1.0.0";
    public const string Echo = "/echo/1.0.0";
    public const double MiB = 1024 * 1024;

    /// <summary>A host on 127.0.0.1 serving /sink/1.0.0 and /echo/1.0.0; idle close off (measurements pause between runs).</summary>
    public static async Task<Libp2pHost> StartAsync(YamuxOptions? yamux = null)
    {
        var host = new Libp2pHost(Identity.Generate(), new Libp2pHostOptions { IdleTimeout = TimeSpan.Zero, MaxConnectionsPerPeer = 64, Yamux = yamux ?? YamuxOptions.Default });
        host.SetHandler(Sink, SinkAsync);
        host.SetHandler(Echo, EchoAsync);
        await host.StartAsync([Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")]);
        return host;
    }

    public static Multiaddr AddressOf(Libp2pHost host) => host.ListenAddresses[0].WithPeerIdMultihash(host.PeerId.Multihash.Span);

    /// <summary>/sink/1.0.0: counts bytes until FIN, answers the count as an ASCII decimal line, then FIN.</summary>
    public static async Task SinkAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[256 * 1024];
        long count = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            count += n;
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{count}\n"), cancellationToken);
        await stream.CloseWriteAsync();
    }

    public static async Task EchoAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        await stream.CopyToAsync(stream, 64 * 1024, cancellationToken);
        await stream.CloseWriteAsync();
    }

    /// <summary>
    /// Pushes <paramref name="total"/> bytes in <paramref name="chunk"/>-byte writes, FIN, waits for the count line
    /// (checked); returns MiB/s from the first write to the answer, as bench.mjs measures.
    /// </summary>
    public static async Task<double> PushAsync(Libp2pStream stream, long total, int chunk)
    {
        var data = new byte[chunk];
        new Random(1).NextBytes(data);
        var watch = Stopwatch.StartNew();
        var answer = ReadAllTextAsync(stream);
        for (long sent = 0; sent < total;)
        {
            var n = (int)Math.Min(chunk, total - sent);
            await stream.WriteAsync(data.AsMemory(0, n));
            sent += n;
        }

        await stream.CloseWriteAsync();
        var text = await answer;
        var seconds = watch.Elapsed.TotalSeconds;
        return text == $"{total}\n"
            ? total / MiB / seconds
            : throw new InvalidOperationException($"sink answered {text.Trim()}, expected {total}");
    }

    /// <summary>Handshake + 1 RTT samples (ms): a fresh TCP + Noise + Yamux connection and one ping, then close.</summary>
    public static async Task<(List<double> Total, List<double> Dial, List<double> Ping)> HandshakesAsync(Libp2pHost client, Multiaddr target, int warmup, int count)
    {
        var total = new List<double>();
        var dial = new List<double>();
        var ping = new List<double>();
        for (var i = 0; i < warmup + count; i++)
        {
            var watch = Stopwatch.StartNew();
            var connection = await client.DialFreshAsync(target);
            var dialed = watch.Elapsed.TotalMilliseconds;
            await connection.PingAsync();
            var done = watch.Elapsed.TotalMilliseconds;
            await connection.CloseAsync();
            if (i >= warmup)
            {
                total.Add(done);
                dial.Add(dialed);
                ping.Add(done - dialed);
            }
        }

        return (total, dial, ping);
    }

    /// <summary>
    /// Streams per second on one connection: <paramref name="concurrency"/> workers each open /echo/1.0.0, send
    /// <paramref name="bytes"/>, FIN, read the echo to its FIN (checked), close, repeat.
    /// </summary>
    public static async Task<(long Streams, double Seconds)> StreamsAsync(Libp2pConnection connection, TimeSpan duration, int concurrency, int bytes)
    {
        var payload = new byte[bytes];
        new Random(3).NextBytes(payload);
        long completed = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var back = new byte[bytes + 1];
            while (watch.Elapsed < duration)
            {
                await using var stream = await connection.OpenStreamAsync(Echo);
                await stream.WriteAsync(payload);
                await stream.CloseWriteAsync();
                var read = 0;
                int n;
                while ((n = await stream.ReadAsync(back.AsMemory(read))) > 0)
                {
                    read += n;
                }

                if (read != bytes)
                {
                    throw new InvalidOperationException($"echo returned {read} of {bytes} bytes");
                }

                Interlocked.Increment(ref completed);
            }
        })));
        return (completed, watch.Elapsed.TotalSeconds);
    }

    public static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static async Task<string> ReadAllTextAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return Encoding.ASCII.GetString(buffer.ToArray());
    }
}
