using System.IO.Pipelines;

namespace Granary.Libp2p.Tests.Support;

/// <summary>
/// Two connected in-memory streams for protocol tests: what <see cref="A"/> writes, <see cref="B"/> reads, and the
/// other way round. Each direction is its own <see cref="Pipe"/>, so either side can half-close
/// (<see cref="DuplexPipeStream.CompleteWrites"/>) and the peer then reads 0 while the other direction keeps working.
/// </summary>
public sealed class DuplexStreamPair : IDisposable
{
    /// <param name="options">
    /// Pipe options for both directions. The default never blocks a writer (no back-pressure), so a test that only
    /// drives one side cannot deadlock; pass options with a pause threshold to test back-pressure.
    /// </param>
    public DuplexStreamPair(PipeOptions? options = null)
    {
        options ??= new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false);
        var aToB = new Pipe(options);
        var bToA = new Pipe(options);
        A = new DuplexPipeStream(bToA.Reader, aToB.Writer);
        B = new DuplexPipeStream(aToB.Reader, bToA.Writer);
    }

    /// <summary>One end (e.g. the dialer).</summary>
    public DuplexPipeStream A { get; }

    /// <summary>The other end (e.g. the listener).</summary>
    public DuplexPipeStream B { get; }

    /// <summary>Closes both ends.</summary>
    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}

/// <summary>One end of a <see cref="DuplexStreamPair"/>: reads from one pipe, writes to the other.</summary>
public sealed class DuplexPipeStream : Stream
{
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly Stream _input;
    private readonly Stream _output;
    private long _bytesRead;
    private long _bytesWritten;

    internal DuplexPipeStream(PipeReader reader, PipeWriter writer)
    {
        _reader = reader;
        _writer = writer;
        _input = reader.AsStream(leaveOpen: true);
        _output = writer.AsStream(leaveOpen: true);
    }

    /// <summary>Bytes this end has read so far.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>Bytes this end has written so far.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// Half-close: no more writes from this end; the peer's reads return 0 once it has read what was sent (or throw
    /// <paramref name="error"/> if one is given, like a connection reset).
    /// </summary>
    public void CompleteWrites(Exception? error = null) => _writer.Complete(error);

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Count(ref _bytesRead, _input.Read(buffer, offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => Count(ref _bytesRead, _input.Read(buffer));

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _bytesRead, read);
        return read;
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _output.Write(buffer);
        Interlocked.Add(ref _bytesWritten, buffer.Length);
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _output.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _bytesWritten, buffer.Length);
    }

    /// <inheritdoc />
    public override void Flush() => _output.Flush();

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Closes both directions of this end.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _writer.Complete();
            _reader.Complete();
        }

        base.Dispose(disposing);
    }

    private static int Count(ref long counter, int read)
    {
        Interlocked.Add(ref counter, read);
        return read;
    }
}
