using System.Buffers.Binary;
using System.Net.Sockets;

namespace Granary.Libp2p.Tests.Support;

/// <summary>A frame as the raw peer saw it on the wire.</summary>
public sealed record YamuxRawFrame(byte Version, byte Type, ushort Flags, uint StreamId, uint Length, byte[] Payload)
{
    public const byte Data = 0, WindowUpdate = 1, Ping = 2, GoAway = 3;
    public const ushort Syn = 1, Ack = 2, Fin = 4, Rst = 8;

    public bool Has(ushort flag) => (Flags & flag) == flag;

    public override string ToString() => $"type {Type} flags 0x{Flags:x} stream {StreamId} length {Length}";
}

/// <summary>
/// A hand-written yamux peer for wire tests: its own encoder and parser (written from the spec's header table, not
/// from the code under test) on one end of a TCP connection, so the session's parser and framing are checked
/// independently.
/// </summary>
public sealed class YamuxRawPeer(Socket socket, Stream stream)
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    public Stream Stream { get; } = stream;

    public static byte[] Frame(byte type, ushort flags, uint streamId, uint length, ReadOnlySpan<byte> payload = default)
    {
        var bytes = new byte[12 + payload.Length];
        bytes[0] = 0;
        bytes[1] = type;
        bytes[2] = (byte)(flags >> 8);
        bytes[3] = (byte)flags;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), streamId);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), length);
        payload.CopyTo(bytes.AsSpan(12));
        return bytes;
    }

    public static byte[] DataFrame(ushort flags, uint streamId, ReadOnlySpan<byte> payload) =>
        Frame(YamuxRawFrame.Data, flags, streamId, (uint)payload.Length, payload);

    public async Task SendAsync(params byte[][] frames)
    {
        foreach (var frame in frames)
        {
            await Stream.WriteAsync(frame).AsTask().WaitAsync(Guard);
        }

        await Stream.FlushAsync();
    }

    /// <summary>The next frame, or null at a clean end of the connection.</summary>
    public async Task<YamuxRawFrame?> ReadAsync()
    {
        var header = new byte[12];
        if (!await ReadExactlyOrEndAsync(header))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8));
        var payload = header[1] == YamuxRawFrame.Data ? new byte[length] : [];
        if (payload.Length > 0 && !await ReadExactlyOrEndAsync(payload))
        {
            throw new EndOfStreamException("raw peer: connection ended inside a DATA payload");
        }

        return new YamuxRawFrame(header[0], header[1], BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2)),
            BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)), length, payload);
    }

    /// <summary>Reads frames until one matches; the skipped ones are returned too (in order).</summary>
    public async Task<(YamuxRawFrame Match, List<YamuxRawFrame> Skipped)> ReadUntilAsync(Func<YamuxRawFrame, bool> match)
    {
        var skipped = new List<YamuxRawFrame>();
        while (true)
        {
            var frame = await ReadAsync() ?? throw new EndOfStreamException($"raw peer: connection ended; frames before: {string.Join("; ", skipped)}");
            if (match(frame))
            {
                return (frame, skipped);
            }

            skipped.Add(frame);
        }
    }

    /// <summary>Sends PING(SYN, opaque) and returns the frames that came before its ACK (a barrier: the session
    /// handles frames in order, so everything sent before the ping has been processed once the ACK is here).</summary>
    public async Task<List<YamuxRawFrame>> BarrierAsync(uint opaque = 0x5eed)
    {
        await SendAsync(Frame(YamuxRawFrame.Ping, YamuxRawFrame.Syn, 0, opaque));
        var (_, skipped) = await ReadUntilAsync(f => f.Type == YamuxRawFrame.Ping && f.Has(YamuxRawFrame.Ack) && f.Length == opaque);
        return skipped;
    }

    public void ShutdownWrite() => socket.Shutdown(SocketShutdown.Send);

    private async Task<bool> ReadExactlyOrEndAsync(byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await Stream.ReadAsync(buffer.AsMemory(read)).AsTask().WaitAsync(Guard);
            if (n == 0)
            {
                if (read == 0)
                {
                    return false;
                }

                throw new EndOfStreamException($"raw peer: connection ended after {read} of {buffer.Length} bytes");
            }

            read += n;
        }

        return true;
    }
}
