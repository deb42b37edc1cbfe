using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Granary.Libp2p.Noise;

/// <summary>
/// The Noise transport phase as a duplex <see cref="Stream"/>: every write becomes frames of
/// <c>uint16_be(len) ‖ ciphertext ‖ tag</c> with at most 65519 plaintext bytes each; reads authenticate and
/// decrypt whole frames and serve them in pieces of any size.
/// </summary>
/// <remarks>
/// <para>Concurrency: one reader and one writer may run at the same time (e.g. yamux's read loop and its writer).
/// Two concurrent reads or two concurrent writes are a caller bug and throw <see cref="InvalidOperationException"/>;
/// yamux serializes its frame writes.</para>
/// <para>Performance: frames are encrypted straight from the caller's buffer into one pooled buffer per write call
/// (several frames go out in one inner write) and decrypted straight into the caller's buffer when it is large
/// enough, in place otherwise. The read side pulls large chunks from the inner stream into a pooled buffer; that is
/// safe because nothing else reads the inner stream after the handshake.</para>
/// <para>Disposing this stream disposes the inner stream (it owns the connection). Writes are not flushed by
/// themselves; the inner stream is a socket stream in practice, and <see cref="Flush"/> forwards.</para>
/// </remarks>
internal sealed class NoiseTransportStream : Stream
{
    /// <summary>Largest Noise message (ciphertext including the tag).</summary>
    public const int MaxFrameLength = ushort.MaxValue;

    /// <summary>Largest plaintext per frame (65535 - 16).</summary>
    public const int MaxPlaintextPerFrame = MaxFrameLength - NoiseCipherState.TagSize;

    private const int HeaderSize = 2;
    private const int MaxWireFrame = HeaderSize + MaxFrameLength;

    // 128 KiB: room for one whole maximum frame plus the start of the next; an exact ArrayPool bucket size.
    private const int ReadBufferSize = 128 * 1024;

    // Up to three full frames per inner write: fewer syscalls for bulk data; an exact pool bucket size.
    private const int MaxWriteBuffer = 256 * 1024;

    private const int Idle = 0;
    private const int Busy = 1;
    private const int Closed = 2;

    private readonly Stream _inner;
    private readonly NoiseCipherState _send;
    private readonly NoiseCipherState _receive;
    private byte[]? _readBuffer;
    private int _readStart;
    private int _readEnd;
    private int _plainStart;
    private int _plainEnd;
    private bool _innerEof;
    private Libp2pProtocolException? _readFault;
    private int _readState;
    private int _writeState;

    /// <summary>Wraps <paramref name="inner"/> with the ciphers from Split (this side's send and receive).</summary>
    public NoiseTransportStream(Stream inner, NoiseCipherState send, NoiseCipherState receive)
    {
        _inner = inner;
        _send = send;
        _receive = receive;
        _readBuffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
    }

    /// <inheritdoc />
    public override bool CanRead => Volatile.Read(ref _readState) != Closed;

    /// <inheritdoc />
    public override bool CanWrite => Volatile.Read(ref _writeState) != Closed;

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

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // no allocation per read that has to wait
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Enter(ref _readState, "read");
        try
        {
            if (buffer.Length == 0)
            {
                return 0;
            }

            while (true)
            {
                var served = Serve(buffer.Span);
                if (served >= 0)
                {
                    return served;
                }

                await FillAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Exit(ref _readState, read: true);
        }
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        Enter(ref _readState, "read");
        try
        {
            if (buffer.Length == 0)
            {
                return 0;
            }

            while (true)
            {
                var served = Serve(buffer);
                if (served >= 0)
                {
                    return served;
                }

                PrepareFill();
                CompleteFill(_inner.Read(_readBuffer.AsSpan(_readEnd)));
            }
        }
        finally
        {
            Exit(ref _readState, read: true);
        }
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Enter(ref _writeState, "write");
        byte[]? frames = null;
        try
        {
            // Zero-byte writes send nothing: an empty frame would carry no information.
            while (buffer.Length > 0)
            {
                frames ??= ArrayPool<byte>.Shared.Rent(WireSize(buffer.Length));
                var written = EncryptFrames(buffer.Span, frames, out var consumed);
                buffer = buffer[consumed..];
                await _inner.WriteAsync(frames.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (frames is not null)
            {
                ArrayPool<byte>.Shared.Return(frames);
            }

            Exit(ref _writeState, read: false);
        }
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Enter(ref _writeState, "write");
        byte[]? frames = null;
        try
        {
            while (buffer.Length > 0)
            {
                frames ??= ArrayPool<byte>.Shared.Rent(WireSize(buffer.Length));
                var written = EncryptFrames(buffer, frames, out var consumed);
                buffer = buffer[consumed..];
                _inner.Write(frames, 0, written);
            }
        }
        finally
        {
            if (frames is not null)
            {
                ArrayPool<byte>.Shared.Return(frames);
            }

            Exit(ref _writeState, read: false);
        }
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void Flush() => _inner.Flush();

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Writes one raw frame with this plaintext, even an empty one (tests of the receiving side).</summary>
    internal async Task WriteFrameAsync(ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken)
    {
        var frame = new byte[HeaderSize + plaintext.Length + NoiseCipherState.TagSize];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)(plaintext.Length + NoiseCipherState.TagSize));
        _send.Encrypt([], plaintext.Span, frame.AsSpan(HeaderSize));
        await _inner.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseDirections();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        CloseDirections();
        await _inner.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    // Bytes on the wire for a write of `length` plaintext bytes, capped at one write buffer.
    private static int WireSize(int length)
    {
        var frames = (length + MaxPlaintextPerFrame - 1) / MaxPlaintextPerFrame;
        return (int)Math.Min(MaxWriteBuffer, (long)length + (frames * (HeaderSize + NoiseCipherState.TagSize)));
    }

    // Fills `destination` with as many frames of `source` as fit; returns the bytes written. Every frame but the
    // last of a write carries the full 65519 bytes, as js chunks them.
    private int EncryptFrames(ReadOnlySpan<byte> source, byte[] destination, out int consumed)
    {
        consumed = 0;
        var offset = 0;
        while (consumed < source.Length)
        {
            var chunk = Math.Min(source.Length - consumed, MaxPlaintextPerFrame);
            if (offset + HeaderSize + chunk + NoiseCipherState.TagSize > destination.Length)
            {
                break;
            }

            BinaryPrimitives.WriteUInt16BigEndian(destination.AsSpan(offset), (ushort)(chunk + NoiseCipherState.TagSize));
            _send.Encrypt([], source.Slice(consumed, chunk), destination.AsSpan(offset + HeaderSize, chunk + NoiseCipherState.TagSize));
            offset += HeaderSize + chunk + NoiseCipherState.TagSize;
            consumed += chunk;
        }

        return offset;
    }

    // Serves plaintext from what is buffered: > 0 bytes served, 0 at a clean end of stream, -1 when more input is
    // needed. Whole frames that fit go straight into `destination`; a frame that does not fit is decrypted in place
    // and handed out over several calls.
    private int Serve(Span<byte> destination)
    {
        if (_readFault is not null)
        {
            throw _readFault;
        }

        var buffer = _readBuffer!;
        if (_plainStart < _plainEnd)
        {
            var n = Math.Min(destination.Length, _plainEnd - _plainStart);
            buffer.AsSpan(_plainStart, n).CopyTo(destination);
            _plainStart += n;
            return n;
        }

        var served = 0;
        while (_readEnd - _readStart >= HeaderSize && served < destination.Length)
        {
            var frameLength = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(_readStart));
            if (frameLength < NoiseCipherState.TagSize)
            {
                throw Fault($"Noise transport frame of {frameLength} bytes is shorter than the 16-byte tag");
            }

            if (_readEnd - _readStart < HeaderSize + frameLength)
            {
                break;
            }

            var frame = buffer.AsSpan(_readStart + HeaderSize, frameLength);
            var plainLength = frameLength - NoiseCipherState.TagSize;
            if (plainLength <= destination.Length - served)
            {
                Decrypt(frame, destination.Slice(served, plainLength));
                served += plainLength;
                _readStart += HeaderSize + frameLength;
                continue;
            }

            if (served > 0)
            {
                break;
            }

            Decrypt(frame, frame);
            _plainStart = _readStart + HeaderSize;
            _plainEnd = _plainStart + plainLength;
            _readStart += HeaderSize + frameLength;
            buffer.AsSpan(_plainStart, destination.Length).CopyTo(destination);
            _plainStart += destination.Length;
            return destination.Length;
        }

        if (served > 0)
        {
            return served;
        }

        if (_innerEof)
        {
            return _readEnd == _readStart
                ? 0
                : throw Fault($"connection closed in the middle of a Noise transport frame ({_readEnd - _readStart} bytes of it received)");
        }

        return -1;
    }

    private void Decrypt(ReadOnlySpan<byte> frame, Span<byte> plaintext)
    {
        if (!_receive.TryDecrypt([], frame, plaintext))
        {
            throw Fault($"Noise transport frame {_receive.Nonce} failed authentication (tampered or out of order)");
        }
    }

    private Libp2pProtocolException Fault(string message)
    {
        // Once the cipher stream is broken it stays broken: later reads must not resync on garbage.
        _readFault = new Libp2pProtocolException(message);
        return _readFault;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        PrepareFill();
        CompleteFill(await _inner.ReadAsync(_readBuffer.AsMemory(_readEnd), cancellationToken).ConfigureAwait(false));
    }

    private void PrepareFill()
    {
        // Only called with no pending plaintext, so moving the partial frame to the front clobbers nothing.
        var buffer = _readBuffer!;
        if (_readStart == _readEnd)
        {
            _readStart = _readEnd = 0;
        }
        else if (buffer.Length - _readStart < MaxWireFrame)
        {
            buffer.AsSpan(_readStart, _readEnd - _readStart).CopyTo(buffer);
            _readEnd -= _readStart;
            _readStart = 0;
        }

        _plainStart = _plainEnd = 0;
    }

    private void CompleteFill(int read)
    {
        if (read == 0)
        {
            _innerEof = true;
        }
        else
        {
            _readEnd += read;
        }
    }

    private static void Enter(ref int state, string operation)
    {
        switch (Interlocked.CompareExchange(ref state, Busy, Idle))
        {
            case Idle:
                return;
            case Busy:
                throw new InvalidOperationException($"concurrent {operation}s on a Noise stream: the caller must serialize {operation}s");
            default:
                throw new ObjectDisposedException(nameof(NoiseTransportStream));
        }
    }

    private void Exit(ref int state, bool read)
    {
        // A Dispose that ran during the operation left the buffers and the cipher to us.
        if (Interlocked.CompareExchange(ref state, Idle, Busy) == Closed)
        {
            Release(read);
        }
    }

    private void CloseDirections()
    {
        if (Interlocked.Exchange(ref _readState, Closed) == Idle)
        {
            Release(read: true);
        }

        if (Interlocked.Exchange(ref _writeState, Closed) == Idle)
        {
            Release(read: false);
        }
    }

    private void Release(bool read)
    {
        if (read)
        {
            var buffer = Interlocked.Exchange(ref _readBuffer, null);
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            _receive.Dispose();
        }
        else
        {
            _send.Dispose();
        }
    }
}
