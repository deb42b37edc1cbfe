using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Granary.Libp2p.Noise;
using Granary.Libp2p.Tests.Support;

namespace Granary.Libp2p.Tests;

/// <summary>The Noise transport stream (<see cref="NoiseSession.Stream"/>): framing, buffering and failures.</summary>
public class NoiseStreamTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task WritesAreChunkedAt65519PlaintextBytesPerFrame()
    {
        var (k1, k2) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var wire = new MemoryStream();
        await using (var writer = new NoiseTransportStream(wire, new NoiseCipherState(k1), new NoiseCipherState(k2)))
        {
            await writer.WriteAsync(RandomNumberGenerator.GetBytes(1024 * 1024));
            await writer.WriteAsync(Array.Empty<byte>());
            writer.Write(new byte[3]);
        }

        var frames = ParseFrames(wire.ToArray());
        var expected = Enumerable.Repeat(65535, 16).Append((1024 * 1024) - (16 * 65519) + 16).Append(3 + 16);
        Assert.Equal(expected, frames.Select(f => f.Length));

        // Each frame is ChaCha20-Poly1305 under k1 with nonce 0, 1, 2, ... (4 zero bytes, then little-endian).
        using var aead = new ChaCha20Poly1305(k1);
        var nonce = new byte[12];
        for (var i = 0; i < frames.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(nonce.AsSpan(4), (ulong)i);
            var f = frames[i];
            aead.Decrypt(nonce, f[..^16], f[^16..], new byte[f.Length - 16]);
        }
    }

    [Fact]
    public async Task ReadsServePartialFramesAndSpanFrames()
    {
        var (writer, reader, _) = Connected();
        var data = RandomNumberGenerator.GetBytes(200_000);
        await writer.WriteAsync(data);
        await writer.DisposeAsync();

        var received = new List<byte>();
        var buffer = new byte[70_001];
        var sizes = new[] { 1, 7, 12, 65_519, 65_520, 70_001, 3 };
        for (var i = 0; ; i++)
        {
            var n = await reader.ReadAsync(buffer.AsMemory(0, sizes[i % sizes.Length]));
            if (n == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        Assert.Equal(data, received);
        Assert.Equal(0, await reader.ReadAsync(buffer));
    }

    [Fact]
    public async Task SynchronousReadAndWriteWork()
    {
        var (writer, reader, _) = Connected();
        var data = RandomNumberGenerator.GetBytes(100_000);
        writer.Write(data, 0, data.Length);
        writer.Dispose();
        var received = new byte[data.Length];
        reader.ReadExactly(received);
        Assert.Equal(data, received);
        Assert.Equal(-1, reader.ReadByte());
    }

    [Fact]
    public async Task ZeroLengthFramesAreLegalAndInvisible()
    {
        var (writer, reader, _) = Connected();
        await writer.WriteFrameAsync(Array.Empty<byte>(), default);
        await writer.WriteFrameAsync("ab"u8.ToArray(), default);
        await writer.WriteFrameAsync(Array.Empty<byte>(), default);
        await writer.WriteFrameAsync(Array.Empty<byte>(), default);
        await writer.WriteFrameAsync("c"u8.ToArray(), default);
        await writer.WriteFrameAsync(Array.Empty<byte>(), default);
        await writer.DisposeAsync();

        var buffer = new byte[10];
        var total = 0;
        int n;
        while ((n = await reader.ReadAsync(buffer.AsMemory(total))) > 0)
        {
            total += n;
        }

        Assert.Equal("abc"u8.ToArray(), buffer[..total]);
    }

    [Fact]
    public async Task EndOfStreamInsideAFrameIsAnError()
    {
        var (k1, k2) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var wire = new MemoryStream();
        await using (var writer = new NoiseTransportStream(wire, new NoiseCipherState(k1), new NoiseCipherState(k2)))
        {
            await writer.WriteAsync(new byte[1000]);
        }

        foreach (var cut in new[] { 1, 2, 100, 1017 })
        {
            var truncated = new MemoryStream(wire.ToArray()[..cut]);
            await using var reader = new NoiseTransportStream(truncated, new NoiseCipherState(k2), new NoiseCipherState(k1));
            var e = await Assert.ThrowsAsync<Libp2pProtocolException>(() => reader.ReadAsync(new byte[2000]).AsTask());
            Assert.Contains("middle of a Noise transport frame", e.Message);
        }
    }

    [Fact]
    public async Task ATamperedFrameFailsAuthenticationAndTheStreamStaysFailed()
    {
        var (k1, k2) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var wire = new MemoryStream();
        await using (var writer = new NoiseTransportStream(wire, new NoiseCipherState(k1), new NoiseCipherState(k2)))
        {
            await writer.WriteAsync("first"u8.ToArray());
            await writer.WriteAsync("second"u8.ToArray());
        }

        var bytes = wire.ToArray();
        bytes[2 + 5 + 16 + 2 + 3] ^= 0x01; // inside the second frame's ciphertext
        await using var reader = new NoiseTransportStream(new MemoryStream(bytes), new NoiseCipherState(k2), new NoiseCipherState(k1));
        var buffer = new byte[5];
        await reader.ReadExactlyAsync(buffer);
        Assert.Equal("first"u8.ToArray(), buffer);
        var e = await Assert.ThrowsAsync<Libp2pProtocolException>(() => reader.ReadAsync(new byte[100]).AsTask());
        Assert.Contains("failed authentication", e.Message);
        await Assert.ThrowsAsync<Libp2pProtocolException>(() => reader.ReadAsync(new byte[100]).AsTask());
    }

    [Fact]
    public async Task FramesUnderTheTagSizeAndReorderedFramesAreRejected()
    {
        var (k1, k2) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        await using (var reader = new NoiseTransportStream(new MemoryStream([0x00, 0x0f, .. new byte[15]]), new NoiseCipherState(k2), new NoiseCipherState(k1)))
        {
            Assert.Contains("shorter than the 16-byte tag", (await Assert.ThrowsAsync<Libp2pProtocolException>(() => reader.ReadAsync(new byte[10]).AsTask())).Message);
        }

        var wire = new MemoryStream();
        await using (var writer = new NoiseTransportStream(wire, new NoiseCipherState(k1), new NoiseCipherState(k2)))
        {
            await writer.WriteAsync("one"u8.ToArray());
            await writer.WriteAsync("two"u8.ToArray());
        }

        var frames = ParseFrames(wire.ToArray());
        var swapped = new List<byte>();
        foreach (var f in new[] { frames[1], frames[0] })
        {
            swapped.AddRange([0, (byte)f.Length, .. f]);
        }

        await using var replayed = new NoiseTransportStream(new MemoryStream([.. swapped]), new NoiseCipherState(k2), new NoiseCipherState(k1));
        await Assert.ThrowsAsync<Libp2pProtocolException>(() => replayed.ReadAsync(new byte[10]).AsTask());
    }

    [Fact]
    public async Task ConcurrentWritesAreRejectedButReadAndWriteMayOverlap()
    {
        // A writer that blocks: the pipe pauses after 1 byte until someone reads.
        using var pair = new DuplexStreamPair(new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1, useSynchronizationContext: false));
        var (k1, k2) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        await using var a = new NoiseTransportStream(pair.A, new NoiseCipherState(k1), new NoiseCipherState(k2));
        await using var b = new NoiseTransportStream(pair.B, new NoiseCipherState(k2), new NoiseCipherState(k1));
        using var cts = new CancellationTokenSource(Guard);

        var pendingRead = a.ReadAsync(new byte[10], cts.Token).AsTask();
        var blocked = a.WriteAsync(new byte[100_000], cts.Token).AsTask();
        Assert.False(blocked.IsCompleted);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await a.WriteAsync(new byte[1], cts.Token));
        await Assert.ThrowsAsync<InvalidOperationException>(() => a.ReadAsync(new byte[1], cts.Token).AsTask());

        var received = new byte[100_000];
        await b.ReadExactlyAsync(received, cts.Token);
        await blocked;
        await b.WriteAsync("x"u8.ToArray(), cts.Token);
        Assert.Equal(1, await pendingRead);
    }

    [Fact]
    public async Task BulkDataBothWaysOverTcp()
    {
        var (tcpA, tcpB) = await NoiseHandshakeTests.ConnectedTcpPairAsync();
        var (k1, k2) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        await using var a = new NoiseTransportStream(tcpA, new NoiseCipherState(k1), new NoiseCipherState(k2));
        await using var b = new NoiseTransportStream(tcpB, new NoiseCipherState(k2), new NoiseCipherState(k1));
        using var cts = new CancellationTokenSource(Guard);
        var data = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);

        async Task SendAsync(Stream s)
        {
            // Mixed write sizes, like yamux headers and bodies.
            var offset = 0;
            var sizes = new[] { 12, 65_536, 1, 262_144, 70_003, 12 };
            for (var i = 0; offset < data.Length; i++)
            {
                var n = Math.Min(sizes[i % sizes.Length], data.Length - offset);
                await s.WriteAsync(data.AsMemory(offset, n), cts.Token);
                offset += n;
            }
        }

        async Task<byte[]> ReceiveAsync(Stream s)
        {
            var buffer = new byte[data.Length];
            await s.ReadExactlyAsync(buffer, cts.Token);
            return buffer;
        }

        var results = await Task.WhenAll(
            Task.Run(() => SendAsync(a)).ContinueWith(_ => Array.Empty<byte>(), TaskScheduler.Default),
            Task.Run(() => SendAsync(b)).ContinueWith(_ => Array.Empty<byte>(), TaskScheduler.Default),
            Task.Run(() => ReceiveAsync(a)),
            Task.Run(() => ReceiveAsync(b)));
        Assert.Equal(data, results[2]);
        Assert.Equal(data, results[3]);
    }

    [Fact]
    public async Task DisposingClosesTheInnerStreamAndLaterCallsThrow()
    {
        var inner = new MemoryStream();
        var stream = new NoiseTransportStream(inner, new NoiseCipherState(new byte[32]), new NoiseCipherState(new byte[32]));
        await stream.DisposeAsync();
        Assert.False(inner.CanRead);
        Assert.False(stream.CanRead);
        Assert.False(stream.CanWrite);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => stream.ReadAsync(new byte[1]).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await stream.WriteAsync(new byte[1]));
        Assert.Throws<NotSupportedException>(() => stream.Length);
    }

    [Fact]
    public async Task RandomMutationsOfTheWireGiveOnlyProtocolExceptionsOrTheOriginalData()
    {
        var random = new Random(4004);
        var (k1, k2) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var data = RandomNumberGenerator.GetBytes(300);
        var wire = new MemoryStream();
        await using (var writer = new NoiseTransportStream(wire, new NoiseCipherState(k1), new NoiseCipherState(k2)))
        {
            await writer.WriteAsync(data.AsMemory(0, 100));
            await writer.WriteAsync(data.AsMemory(100, 200));
        }

        var original = wire.ToArray();
        for (var i = 0; i < 2000; i++)
        {
            var mutated = ProtoReaderTests.Mutate(random, original);
            await using var reader = new NoiseTransportStream(new MemoryStream(mutated), new NoiseCipherState(k2), new NoiseCipherState(k1));
            var received = new List<byte>();
            try
            {
                var buffer = new byte[64];
                int n;
                while ((n = await reader.ReadAsync(buffer)) > 0)
                {
                    received.AddRange(buffer.AsSpan(0, n).ToArray());
                }
            }
            catch (Libp2pProtocolException)
            {
            }

            // Whatever was delivered is authentic: a prefix of the original plaintext.
            Assert.True(data.AsSpan().StartsWith(received.ToArray()), $"mutation {i} delivered forged bytes");
        }
    }

    private static (NoiseTransportStream Writer, NoiseTransportStream Reader, DuplexStreamPair Pair) Connected()
    {
        var pair = new DuplexStreamPair();
        var (k1, k2) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var writer = new NoiseTransportStream(new HalfClosingStream(pair.A), new NoiseCipherState(k1), new NoiseCipherState(k2));
        var reader = new NoiseTransportStream(pair.B, new NoiseCipherState(k2), new NoiseCipherState(k1));
        return (writer, reader, pair);
    }

    private static List<byte[]> ParseFrames(byte[] wire)
    {
        var frames = new List<byte[]>();
        for (var offset = 0; offset < wire.Length;)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(wire.AsSpan(offset));
            frames.Add(wire.AsSpan(offset + 2, length).ToArray());
            offset += 2 + length;
        }

        return frames;
    }

    /// <summary>Disposing it only half-closes the pipe end, so the peer reads a clean end of stream.</summary>
    private sealed class HalfClosingStream(DuplexPipeStream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing) => inner.CompleteWrites();
    }
}
