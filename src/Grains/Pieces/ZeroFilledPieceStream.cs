namespace Granary.Grains.Pieces;

/// <summary>
/// A piece read from a staged payload file: the file's bytes, then zeros up to the unpadded piece size, as a seekable
/// stream — the same bytes the unsealed copy yields once Fr32-unpadded.
/// </summary>
public sealed class ZeroFilledPieceStream : Stream
{
    private readonly FileStream _file;
    private readonly long _payload;
    private long _position;

    /// <summary>Opens <paramref name="path"/> (<paramref name="payloadSize"/> bytes) as a piece of <paramref name="length"/> unpadded bytes.</summary>
    /// <exception cref="IOException">The file is not <paramref name="payloadSize"/> bytes long.</exception>
    public ZeroFilledPieceStream(string path, long payloadSize, long length)
    {
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.Asynchronous);
        if (_file.Length != payloadSize)
        {
            var actual = _file.Length;
            _file.Dispose();
            throw new IOException($"{path} has {actual} bytes, not the piece's {payloadSize} payload bytes");
        }

        _payload = payloadSize;
        Length = length;
        Description = path;
    }

    /// <summary>Where the bytes come from.</summary>
    public string Description { get; }

    /// <inheritdoc />
    public override long Length { get; }

    /// <inheritdoc />
    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => true;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= Length || buffer.IsEmpty)
        {
            return 0;
        }

        int n;
        if (_position < _payload)
        {
            _file.Position = _position;
            n = await _file.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _payload - _position)], cancellationToken);
            if (n == 0)
            {
                throw new IOException($"{Description} was truncated while being read");
            }
        }
        else
        {
            n = (int)Math.Min(buffer.Length, Length - _position);
            buffer.Span[..n].Clear();
        }

        _position += n;
        return n;
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => Length + offset,
    };

    /// <inheritdoc />
    public override void Flush() { }

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
