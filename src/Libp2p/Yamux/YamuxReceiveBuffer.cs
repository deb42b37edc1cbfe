using System.Buffers;

namespace Granary.Libp2p.Yamux;

/// <summary>
/// Bytes a stream received and the application has not read yet, as a queue of pooled chunks. Small payloads are
/// packed into the last chunk's spare room. Its size is bounded by the receive window the session enforces; the
/// owner (<see cref="YamuxStream"/>) locks around it.
/// </summary>
internal sealed class YamuxReceiveBuffer
{
    private const int MinChunk = 4096;

    private readonly Queue<Chunk> _chunks = new();
    private Chunk? _tail;

    /// <summary>Bytes buffered.</summary>
    public int Length { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (_tail is null || _tail.Array.Length - _tail.End < data.Length)
        {
            _tail = new Chunk(ArrayPool<byte>.Shared.Rent(Math.Max(data.Length, MinChunk)));
            _chunks.Enqueue(_tail);
        }

        data.CopyTo(_tail.Array.AsSpan(_tail.End));
        _tail.End += data.Length;
        Length += data.Length;
    }

    /// <summary>Moves up to <paramref name="destination"/>.Length bytes out; returns how many.</summary>
    public int Read(Span<byte> destination)
    {
        var copied = 0;
        while (copied < destination.Length && _chunks.TryPeek(out var head))
        {
            var n = Math.Min(destination.Length - copied, head.End - head.Start);
            head.Array.AsSpan(head.Start, n).CopyTo(destination[copied..]);
            head.Start += n;
            copied += n;
            if (head.Start == head.End)
            {
                Release(_chunks.Dequeue());
            }
        }

        Length -= copied;
        return copied;
    }

    /// <summary>Drops everything buffered; returns how many bytes that was.</summary>
    public int Clear()
    {
        var dropped = Length;
        while (_chunks.TryDequeue(out var chunk))
        {
            Release(chunk);
        }

        Length = 0;
        return dropped;
    }

    private void Release(Chunk chunk)
    {
        if (ReferenceEquals(chunk, _tail))
        {
            _tail = null;
        }

        ArrayPool<byte>.Shared.Return(chunk.Array);
    }

    private sealed class Chunk(byte[] array)
    {
        public byte[] Array { get; } = array;
        public int Start { get; set; }
        public int End { get; set; }
    }
}
