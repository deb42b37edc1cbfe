using System.Buffers;

namespace Granary.Libp2p.Yamux;

/// <summary>
/// Reads frames off the connection through one large buffer, so a socket read usually yields many frames (or a good
/// part of a big DATA payload). Payloads are handed out in chunks as they arrive: a DATA frame may be far larger than
/// one read, and the chunks go straight to the stream's receive buffer.
/// </summary>
internal sealed class YamuxFrameReader(Stream connection, int bufferSize) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(bufferSize, YamuxFrameHeader.Size * 2));
    private int _start;
    private int _end;

    /// <summary>The next header, or null when the connection ended cleanly between frames.</summary>
    public async ValueTask<YamuxFrameHeader?> ReadHeaderAsync(CancellationToken ct)
    {
        if (_end - _start < YamuxFrameHeader.Size)
        {
            // At most 11 bytes are left over: move them to the front so the read gets the whole buffer.
            var leftover = _end - _start;
            _buffer.AsSpan(_start, leftover).CopyTo(_buffer);
            _start = 0;
            _end = leftover;
            while (_end < YamuxFrameHeader.Size)
            {
                var n = await connection.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    if (_end == 0)
                    {
                        return null;
                    }

                    throw new YamuxProtocolException($"truncated frame header: the connection ended after {_end} of {YamuxFrameHeader.Size} bytes");
                }

                _end += n;
            }
        }

        var header = YamuxFrameHeader.Read(_buffer.AsSpan(_start, YamuxFrameHeader.Size));
        _start += YamuxFrameHeader.Size;
        return header;
    }

    /// <summary>
    /// Up to <paramref name="max"/> further payload bytes (at least one); the memory is valid until the next call.
    /// <paramref name="header"/> is only for the message when the connection ends inside the payload.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadPayloadAsync(int max, YamuxFrameHeader header, CancellationToken ct)
    {
        if (_start == _end)
        {
            _start = 0;
            _end = await connection.ReadAsync(_buffer, ct).ConfigureAwait(false);
            if (_end == 0)
            {
                throw new YamuxProtocolException($"truncated payload: the connection ended with {max} of {header.Length} bytes of {header} missing");
            }
        }

        var take = Math.Min(max, _end - _start);
        var chunk = _buffer.AsMemory(_start, take);
        _start += take;
        return chunk;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
