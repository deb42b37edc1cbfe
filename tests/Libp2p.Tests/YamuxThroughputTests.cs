using System.Diagnostics;
using Granary.Libp2p.Tests.Support;
using Xunit.Abstractions;

namespace Granary.Libp2p.Tests;

/// <summary>One stream between two sessions over loopback TCP (no encryption): bulk transfer, exact bytes, rate.</summary>
public sealed class YamuxThroughputTests(ITestOutputHelper output)
{
    [Fact]
    public async Task One_stream_moves_256_MiB_intact_at_a_useful_rate()
    {
        const int chunk = 1024 * 1024;
        const int chunks = 256;
        await using var pair = await YamuxSessionPair.StartAsync();
        var (writer, reader) = await pair.OpenAsync(pair.Client);

        // Every chunk differs (its index in the first bytes), so a lost, repeated or reordered frame shows.
        var data = new byte[chunk];
        new Random(42).NextBytes(data);
        var clock = Stopwatch.StartNew();
        var sending = Task.Run(async () =>
        {
            var buffer = (byte[])data.Clone();
            for (var i = 0; i < chunks; i++)
            {
                BitConverter.TryWriteBytes(buffer, i);
                await writer.WriteAsync(buffer);
            }

            await writer.CloseWriteAsync();
        });

        var received = new byte[chunk];
        for (var i = 0; i < chunks; i++)
        {
            await reader.ReadExactlyAsync(received).AsTask().WaitAsync(YamuxSessionPair.Guard);
            Assert.Equal(i, BitConverter.ToInt32(received));
            Assert.True(received.AsSpan(4).SequenceEqual(data.AsSpan(4)), $"chunk {i} differs");
        }

        Assert.Equal(0, await reader.ReadAsync(received));
        await sending.WaitAsync(YamuxSessionPair.Guard);
        clock.Stop();
        var rate = chunks / clock.Elapsed.TotalSeconds;
        output.WriteLine($"256 MiB in {clock.Elapsed.TotalMilliseconds:F0} ms = {rate:F0} MiB/s; receive window {reader.ReceiveWindow}");

        // Loose floor (measured: well over 1,000 MiB/s here); it only catches a pathological slowdown.
        Assert.True(rate > 10, $"{rate:F1} MiB/s");
    }
}
