namespace Granary.Libp2p.Tests.Support;

/// <summary>
/// A connection whose read side replays fixed bytes in chunks of random size (so frames straddle reads in every
/// possible place) and then reports end of stream; writes are collected. For parser tests and mutation runs.
/// </summary>
public sealed class YamuxScriptedConnection(byte[] script, int seed, int maxChunk = 64) : Stream
{
    private readonly Random _random = new(seed);
    private readonly MemoryStream _written = new();
    private int _position;

    public byte[] Written
    {
        get
        {
            lock (_written)
            {
                return _written.ToArray();
            }
        }
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var n = Math.Min(Math.Min(buffer.Length, script.Length - _position), _random.Next(1, maxChunk + 1));
        script.AsSpan(_position, n).CopyTo(buffer.Span);
        _position += n;
        return new ValueTask<int>(n);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_written)
        {
            _written.Write(buffer.Span);
        }

        return default;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
