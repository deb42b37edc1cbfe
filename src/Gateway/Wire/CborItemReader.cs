using System.Buffers.Binary;

namespace Granary.Gateway.Wire;

/// <summary>
/// Reads exactly one CBOR data item from a stream that carries no length prefix (Boost writes one raw CBOR object
/// per direction, <c>cborutil.WriteCborRPC</c>). The item's end is found by walking its headers, so a client that
/// keeps its side open while it waits for the answer is served; bytes after the item are not consumed from the
/// caller's point of view (they are ignored). Indefinite lengths (which cbor-gen and DAG-CBOR never write) and
/// reserved headers are refused; every length is checked against the byte limit before anything is buffered.
/// </summary>
public static class CborItemReader
{
    private const int Chunk = 4096;

    /// <summary>Reads one item of at most <paramref name="maxBytes"/> bytes.</summary>
    /// <exception cref="MarketsWireException">Truncated (the stream ended first), oversized, or not a well-formed CBOR header sequence.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired (the caller's deadline).</exception>
    public static async Task<byte[]> ReadAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        var buffer = new byte[Math.Min(Chunk, maxBytes)];
        var filled = 0;
        var position = 0;
        long pending = 1;

        // Makes `count` more bytes from `position` available, reading as needed.
        async ValueTask Need(long count)
        {
            if (position + count > maxBytes)
            {
                throw new MarketsWireException(MarketsWireError.Oversized, $"the message is larger than the {maxBytes}-byte limit");
            }

            while (filled < position + count)
            {
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, (int)Math.Min(maxBytes, Math.Max((long)buffer.Length * 2, position + count)));
                }

                var read = await stream.ReadAsync(buffer.AsMemory(filled, Math.Min(buffer.Length - filled, maxBytes - filled)), cancellationToken)
                    .ConfigureAwait(false);
                if (read == 0)
                {
                    throw new MarketsWireException(MarketsWireError.Truncated,
                        filled == 0 ? "the stream ended before any message arrived" : $"the stream ended after {filled} bytes, inside the message");
                }

                filled += read;
            }
        }

        while (pending > 0)
        {
            pending--;
            await Need(1).ConfigureAwait(false);
            var initial = buffer[position];
            var major = initial >> 5;
            var info = initial & 0x1f;
            position++;
            ulong argument;
            if (info < 24)
            {
                argument = (ulong)info;
            }
            else if (info <= 27)
            {
                var size = 1 << (info - 24);
                await Need(size).ConfigureAwait(false);
                var span = buffer.AsSpan(position, size);
                argument = size switch
                {
                    1 => span[0],
                    2 => BinaryPrimitives.ReadUInt16BigEndian(span),
                    4 => BinaryPrimitives.ReadUInt32BigEndian(span),
                    _ => BinaryPrimitives.ReadUInt64BigEndian(span),
                };
                position += size;
            }
            else if (info == 31)
            {
                throw new MarketsWireException(MarketsWireError.Malformed, "indefinite-length CBOR items are not allowed");
            }
            else
            {
                throw new MarketsWireException(MarketsWireError.Malformed, $"reserved CBOR header 0x{initial:x2}");
            }

            switch (major)
            {
                case 2 or 3:
                    // Byte and text strings: the content follows.
                    if (argument > (ulong)maxBytes)
                    {
                        throw new MarketsWireException(MarketsWireError.Oversized, $"a {argument}-byte string is larger than the {maxBytes}-byte message limit");
                    }

                    await Need((long)argument).ConfigureAwait(false);
                    position += (int)argument;
                    break;
                case 4 or 5:
                    // Every item takes at least one byte, so more items than the limit allows is oversized.
                    var items = major == 4 ? argument : argument * 2;
                    if (argument > (ulong)maxBytes || (ulong)pending + items > (ulong)maxBytes)
                    {
                        throw new MarketsWireException(MarketsWireError.Oversized, $"a CBOR {(major == 4 ? "array" : "map")} of {argument} entries cannot fit the {maxBytes}-byte limit");
                    }

                    pending += (long)items;
                    break;
                case 6:
                    pending++;
                    break;
                default:
                    // Integers and simple values / floats carry everything in the header.
                    break;
            }
        }

        return buffer.AsSpan(0, position).ToArray();
    }
}
