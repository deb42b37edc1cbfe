using Granary.Filecoin.Pieces;

namespace Granary.Grains.Pieces;

/// <summary>
/// A piece read out of an unsealed sector copy: the padded range <c>[pieceOffset, pieceOffset + pieceSize)</c> of the
/// file, Fr32-unpadded, as a seekable stream of <c>Unpadded(pieceSize)</c> bytes (the payload followed by the zeros
/// that fill the piece). Reads go in chunks of whole 128-byte blocks; a piece is aligned to its size, so block
/// boundaries of the piece are block boundaries of the file.
/// </summary>
public sealed class UnsealedPieceStream : Stream
{
    private const int ChunkBlocks = 8192; // 1 MiB padded
    private readonly IPaddedSource _source;
    private readonly long _pieceOffset;
    private readonly long _blocks;
    private readonly byte[] _padded = new byte[ChunkBlocks * Fr32.PaddedBlock];
    private readonly byte[] _unpadded = new byte[ChunkBlocks * Fr32.UnpaddedBlock];
    private long _chunkStart = -1; // unpadded offset of the loaded chunk
    private int _chunkLength;
    private long _position;

    /// <summary>A piece of <paramref name="pieceSize"/> padded bytes at <paramref name="pieceOffset"/> of <paramref name="source"/>.</summary>
    public UnsealedPieceStream(IPaddedSource source, long pieceOffset, long pieceSize)
    {
        if (!PaddedPieceSize.IsValid(pieceSize) || pieceOffset < 0 || pieceOffset % Fr32.PaddedBlock != 0)
        {
            throw new ArgumentException($"a piece of {pieceSize} bytes at {pieceOffset} is not a valid piece placement");
        }

        _source = source;
        _pieceOffset = pieceOffset;
        _blocks = pieceSize / Fr32.PaddedBlock;
        Length = PaddedPieceSize.Unpadded(pieceSize);
    }

    /// <summary>Where the bytes come from.</summary>
    public string Description => _source.Description;

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

        if (_chunkStart < 0 || _position < _chunkStart || _position >= _chunkStart + _chunkLength)
        {
            await LoadAsync(_position / Fr32.UnpaddedBlock, cancellationToken);
        }

        var within = (int)(_position - _chunkStart);
        var n = Math.Min(buffer.Length, _chunkLength - within);
        _unpadded.AsMemory(within, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    private async Task LoadAsync(long block, CancellationToken cancellationToken)
    {
        var blocks = (int)Math.Min(ChunkBlocks, _blocks - block);
        var want = blocks * Fr32.PaddedBlock;
        var read = 0;
        while (read < want)
        {
            var n = await _source.ReadAsync(_pieceOffset + (block * Fr32.PaddedBlock) + read, _padded.AsMemory(read, want - read), cancellationToken);
            if (n == 0)
            {
                throw new IOException($"{_source.Description} ends at byte {_pieceOffset + (block * Fr32.PaddedBlock) + read}, inside the piece at {_pieceOffset}");
            }

            read += n;
        }

        Fr32Unpadding.Unpad(_padded.AsSpan(0, want), _unpadded);
        _chunkStart = block * Fr32.UnpaddedBlock;
        _chunkLength = (int)Math.Min(blocks * Fr32.UnpaddedBlock, Length - _chunkStart);
    }

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
    public override async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }
}
