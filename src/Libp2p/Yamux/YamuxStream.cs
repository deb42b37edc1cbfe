using System.Diagnostics;

namespace Granary.Libp2p.Yamux;

/// <summary>
/// One yamux stream: a duplex <see cref="Stream"/> with per-stream flow control. Writes are split into DATA frames
/// that never exceed the peer's window and wait (back-pressure) while it is 0; the receive window is re-opened only
/// as the application reads, so the bytes buffered here never exceed the window granted to the peer.
/// One reader and one writer may use the stream concurrently; concurrent reads (or writes) are not supported.
/// </summary>
public sealed class YamuxStream : Stream
{
    private readonly YamuxSession _session;
    private readonly Lock _gate = new();
    private readonly YamuxReceiveBuffer _received = new();

    // Receive side. Invariant: _recvAvailable + _recvPending + _received.Length <= _recvTarget.
    private int _recvTarget;
    private long _recvAvailable;
    private long _recvPending;
    private long _epochStart;
    private bool _remoteFin;

    // Send side.
    private long _sendWindow = YamuxOptions.SpecInitialWindow;
    private bool _localFin;
    private bool _ackPending;

    private YamuxStreamResetException? _reset;
    private YamuxSessionClosedException? _sessionClosed;
    private bool _disposed;
    private bool _removed;
    private int _backlogReleased;
    private TaskCompletionSource? _readable;
    private TaskCompletionSource? _writable;

    internal YamuxStream(YamuxSession session, uint id, bool isOutbound, int initialWindow)
    {
        _session = session;
        Id = id;
        IsOutbound = isOutbound;
        _recvTarget = initialWindow;
        _recvAvailable = initialWindow;
        _ackPending = !isOutbound;
        _epochStart = Stopwatch.GetTimestamp();
    }

    /// <summary>The stream id: odd when the client (dialer) opened it, even when the server did.</summary>
    public uint Id { get; }

    /// <summary>True when this side opened the stream.</summary>
    public bool IsOutbound { get; }

    /// <summary>Bytes received and not read yet; never more than <see cref="ReceiveWindow"/>.</summary>
    public int BufferedBytes
    {
        get
        {
            lock (_gate)
            {
                return _received.Length;
            }
        }
    }

    /// <summary>The receive window this stream currently offers (grows by auto-tuning up to <see cref="YamuxOptions.MaxWindow"/>).</summary>
    public int ReceiveWindow
    {
        get
        {
            lock (_gate)
            {
                return _recvTarget;
            }
        }
    }

    /// <summary>Bytes the peer currently lets us send.</summary>
    public long SendWindow
    {
        get
        {
            lock (_gate)
            {
                return _sendWindow;
            }
        }
    }

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
    /// Reads buffered bytes, waiting while there are none. Returns 0 once the peer half-closed (FIN) and everything
    /// before it was read. Throws <see cref="YamuxStreamResetException"/> after a reset and
    /// <see cref="YamuxSessionClosedException"/> when the session ended before the peer's FIN (after the buffered bytes).
    /// </summary>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task readable;
            lock (_gate)
            {
                ThrowIfResetOrDisposed();
                if (_received.Length > 0 || buffer.IsEmpty)
                {
                    var n = _received.Read(buffer.Span);
                    GrantWindowLocked();
                    return n;
                }

                if (_remoteFin)
                {
                    return 0;
                }

                if (_sessionClosed is { } closed)
                {
                    throw new YamuxSessionClosedException(closed.Message, closed.InnerException);
                }

                _readable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                readable = _readable.Task;
            }

            await readable.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends the bytes as DATA frames of at most min(peer window, <see cref="YamuxOptions.MaxFrameSize"/>), waiting
    /// while the peer's window is 0 or the session's write queue is full. Returns once the last frame is queued.
    /// </summary>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            Task? writable = null;
            var sessionGone = false;
            lock (_gate)
            {
                ThrowIfResetOrDisposed();
                if (_sessionClosed is { } closed)
                {
                    throw new YamuxSessionClosedException(closed.Message, closed.InnerException);
                }

                if (_localFin)
                {
                    throw new InvalidOperationException($"yamux stream {Id}: write after CloseWriteAsync (FIN already sent)");
                }

                if (_sendWindow == 0)
                {
                    _writable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    writable = _writable.Task;
                }
                else
                {
                    var n = (int)Math.Min(Math.Min(buffer.Length, _sendWindow), _session.Options.MaxFrameSize);
                    if (_session.Writer.TryEnqueueData(new(YamuxFrameType.Data, TakeAckLocked(), Id, (uint)n), buffer.Span[..n]))
                    {
                        _sendWindow -= n;
                        buffer = buffer[n..];
                    }
                    else
                    {
                        sessionGone = true;
                    }
                }
            }

            if (sessionGone)
            {
                throw _session.ClosedException();
            }

            if (writable is not null)
            {
                await writable.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _session.Writer.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Half-closes: sends FIN. The peer reads to the end; this side can still read.</summary>
    public Task CloseWriteAsync()
    {
        bool done;
        lock (_gate)
        {
            ThrowIfResetOrDisposed();
            if (_localFin)
            {
                return Task.CompletedTask;
            }

            if (_sessionClosed is { } closed)
            {
                throw new YamuxSessionClosedException(closed.Message, closed.InnerException);
            }

            _localFin = true;
            _session.Writer.TryEnqueue(new(YamuxFrameType.WindowUpdate, TakeAckLocked() | YamuxFlags.Fin, Id, 0));
            done = _remoteFin;
            Wake(ref _writable);
        }

        if (done)
        {
            Release();
        }

        return Task.CompletedTask;
    }

    /// <summary>Hard-closes with RST; pending and later reads and writes (here and at the peer) throw <see cref="YamuxStreamResetException"/>.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            if (_reset is not null || _removed)
            {
                return;
            }

            _reset = new YamuxStreamResetException(Id, byRemote: false);
            _received.Clear();
            _session.Writer.TryEnqueue(new(YamuxFrameType.WindowUpdate, TakeAckLocked() | YamuxFlags.Rst, Id, 0));
            Wake(ref _readable);
            Wake(ref _writable);
        }

        Release();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Frames are queued as they are written; nothing to flush.</summary>
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override string ToString() => $"yamux stream {Id} ({(IsOutbound ? "outbound" : "inbound")})";

    /// <summary>
    /// Closes both ways: sends FIN if not sent yet and drops unread bytes. Data the peer still sends is discarded
    /// (and credited, so the peer can finish); the stream is freed when the peer's FIN arrives.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        var done = false;
        lock (_gate)
        {
            if (!_disposed)
            {
                _disposed = true;
                _received.Clear();
                if (_reset is null && _sessionClosed is null)
                {
                    if (!_localFin)
                    {
                        _localFin = true;
                        _session.Writer.TryEnqueue(new(YamuxFrameType.WindowUpdate, TakeAckLocked() | YamuxFlags.Fin, Id, 0));
                    }

                    GrantWindowLocked();
                    done = _remoteFin;
                }

                Wake(ref _readable);
                Wake(ref _writable);
            }
        }

        if (done)
        {
            Release();
        }

        base.Dispose(disposing);
    }

    /// <summary>Sends the ACK that accepts an inbound stream; false when it was reset before it was accepted.</summary>
    internal bool Accept()
    {
        lock (_gate)
        {
            if (_reset is not null)
            {
                return false;
            }

            if (_ackPending)
            {
                _ackPending = false;
                _session.Writer.TryEnqueue(new(YamuxFrameType.WindowUpdate, YamuxFlags.Ack, Id, (uint)(_recvTarget - YamuxOptions.SpecInitialWindow)));
            }

            return true;
        }
    }

    /// <summary>Sends the SYN that opens an outbound stream, announcing any window beyond the spec's 256 KiB.</summary>
    internal void Open()
    {
        lock (_gate)
        {
            _session.Writer.TryEnqueue(new(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, Id, (uint)(_recvTarget - YamuxOptions.SpecInitialWindow)));
        }
    }

    /// <summary>Books a DATA frame's length against the receive window; false when the peer overran the window.</summary>
    internal bool TryReserve(uint length, out long available, out bool afterFin)
    {
        lock (_gate)
        {
            available = _recvAvailable;
            afterFin = _remoteFin;
            if (length > _recvAvailable)
            {
                return false;
            }

            _recvAvailable -= length;
            _recvPending += length;
            return true;
        }
    }

    /// <summary>Payload bytes of a frame booked with <see cref="TryReserve"/>.</summary>
    internal void OnData(ReadOnlySpan<byte> chunk)
    {
        lock (_gate)
        {
            _recvPending -= chunk.Length;
            if (_reset is not null)
            {
                return;
            }

            if (_disposed)
            {
                // Nobody will read it: count it consumed so the peer can get to its FIN.
                GrantWindowLocked();
                return;
            }

            _received.Append(chunk);
            Wake(ref _readable);
        }
    }

    internal void OnWindowUpdate(uint delta)
    {
        lock (_gate)
        {
            // Saturate rather than wrap: a peer may grant more in total than any integer holds.
            _sendWindow = _sendWindow > long.MaxValue - delta ? long.MaxValue : _sendWindow + delta;
            Wake(ref _writable);
        }
    }

    internal void OnAck()
    {
        if (IsOutbound)
        {
            ReleaseBacklog();
        }
    }

    internal void OnRemoteFin()
    {
        bool done;
        lock (_gate)
        {
            if (_remoteFin || _reset is not null)
            {
                return;
            }

            _remoteFin = true;
            _recvAvailable = 0;
            done = _localFin;
            Wake(ref _readable);
        }

        if (done)
        {
            Release();
        }
    }

    internal void OnRemoteReset()
    {
        lock (_gate)
        {
            if (_reset is not null)
            {
                return;
            }

            _reset = new YamuxStreamResetException(Id, byRemote: true);
            _received.Clear();
            Wake(ref _readable);
            Wake(ref _writable);
        }

        Release();
    }

    /// <summary>The session ended: writes fail; reads drain what was buffered, then return 0 (after a FIN) or throw.</summary>
    internal void OnSessionClosed(YamuxSessionClosedException closed)
    {
        lock (_gate)
        {
            _sessionClosed ??= closed;
            _removed = true;
            Wake(ref _readable);
            Wake(ref _writable);
        }
    }

    /// <summary>Called once by the session when the stream leaves its table.</summary>
    internal void MarkRemoved()
    {
        lock (_gate)
        {
            _removed = true;
        }
    }

    /// <summary>True exactly once: when the stream stops counting against the ACK backlog (ACKed or gone).</summary>
    internal bool TryReleaseBacklogSlot() => IsOutbound && Interlocked.Exchange(ref _backlogReleased, 1) == 0;

    private void ReleaseBacklog()
    {
        if (TryReleaseBacklogSlot())
        {
            _session.OnBacklogSlotFreed();
        }
    }

    private void Release() => _session.RemoveStream(this);

    /// <summary>
    /// Re-opens the receive window once half of it was consumed. When the window was used up within a few
    /// round trips it was too small for the bandwidth-delay product: double it, up to MaxWindow.
    /// </summary>
    private void GrantWindowLocked()
    {
        if (_remoteFin || _reset is not null || _sessionClosed is not null)
        {
            return;
        }

        var delta = _recvTarget - _recvAvailable - _recvPending - _received.Length;
        if (delta < _recvTarget / 2)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        var rtt = _session.RoundTripTicks;
        if (rtt > 0 && _recvTarget < _session.Options.MaxWindow && now - _epochStart < 4 * rtt)
        {
            var grown = (int)Math.Min(2L * _recvTarget, _session.Options.MaxWindow);
            delta += grown - _recvTarget;
            _recvTarget = grown;
        }

        _epochStart = now;
        _recvAvailable += delta;
        _session.Writer.TryEnqueue(new(YamuxFrameType.WindowUpdate, TakeAckLocked(), Id, (uint)delta));
    }

    private YamuxFlags TakeAckLocked()
    {
        if (!_ackPending)
        {
            return YamuxFlags.None;
        }

        _ackPending = false;
        return YamuxFlags.Ack;
    }

    private void ThrowIfResetOrDisposed()
    {
        if (_reset is { } reset)
        {
            throw new YamuxStreamResetException(reset.StreamId, reset.ByRemote);
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
    }

    private static void Wake(ref TaskCompletionSource? waiter)
    {
        waiter?.TrySetResult();
        waiter = null;
    }
}
