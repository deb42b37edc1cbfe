using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Libp2p.Yamux;

/// <summary>
/// A yamux session (<c>/yamux/1.0.0</c>) over one connection. The constructor starts the session: one loop reads
/// frames, one loop writes them, and (when enabled) one sends keepalive pings. The session owns the connection and
/// disposes it when it ends. It ends on <see cref="DisposeAsync"/>, after <see cref="GoAwayAsync"/> once its streams
/// are done, when the peer closes the connection, or on a protocol error (GO_AWAY(protocol error) is sent first);
/// <see cref="Completion"/> then completes, faulted with the reason unless the end was orderly.
/// </summary>
public sealed partial class YamuxSession : IAsyncDisposable
{
    /// <summary>The multistream-select protocol id.</summary>
    public const string ProtocolId = "/yamux/1.0.0";

    private const int ReadBufferSize = 64 * 1024;

    private readonly Stream _connection;
    private readonly ILogger _logger;
    private readonly string _role;
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, YamuxStream> _streams = [];
    private readonly Dictionary<uint, (TaskCompletionSource<TimeSpan> Answer, long Sent)> _pings = [];
    private readonly Channel<YamuxStream> _accepted = Channel.CreateUnbounded<YamuxStream>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly CancellationTokenSource _readCancel = new();
    private readonly CancellationTokenSource _writeCancel = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _readLoop;
    private readonly Task _writeLoop;
    private readonly Task _keepAlive;

    private long _nextStreamId;
    private int _inboundStreams;
    private int _unacked;
    private TaskCompletionSource? _backlogFreed;
    private uint _nextPing;
    private long _rttTicks;
    private bool _localGoAway;
    private YamuxGoAwayCode? _remoteGoAway;
    private bool _closed;
    private Exception? _closeReason;

    /// <summary>Starts a session on <paramref name="connection"/>.</summary>
    /// <param name="connection">The secured connection; the session reads and writes it from now on and disposes it at the end.</param>
    /// <param name="isClient">True on the dialer, whose stream ids are odd; the listener's are even.</param>
    /// <param name="options">Limits and tuning.</param>
    /// <param name="logger">Receives protocol errors and session ends.</param>
    public YamuxSession(Stream connection, bool isClient, YamuxOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _connection = connection;
        Options = options;
        IsClient = isClient;
        _logger = logger ?? NullLogger.Instance;
        _role = isClient ? "client" : "server";
        _nextStreamId = isClient ? 1 : 2;
        Writer = new YamuxFrameWriter(connection, Math.Max(1024 * 1024, 2L * options.MaxFrameSize));
        _logger.SessionStarted(_role);
        _writeLoop = Task.Run(WriteLoopAsync);
        _readLoop = Task.Run(ReadLoopAsync);
        _keepAlive = options.KeepAliveInterval > TimeSpan.Zero ? Task.Run(KeepAliveLoopAsync) : Task.CompletedTask;
        _ = FinishAsync();
    }

    /// <summary>True on the dialer (odd stream ids).</summary>
    public bool IsClient { get; }

    /// <summary>The options the session runs with.</summary>
    public YamuxOptions Options { get; }

    /// <summary>Completes when the session has ended and its loops have stopped; faulted with the reason unless the end was orderly.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Streams open in either direction (including inbound ones not accepted yet).</summary>
    public int ActiveStreams
    {
        get
        {
            lock (_gate)
            {
                return _streams.Count;
            }
        }
    }

    /// <summary>The last measured ping round-trip time, or null before the first answer.</summary>
    public TimeSpan? RoundTripTime => Volatile.Read(ref _rttTicks) is var t and > 0 ? Stopwatch.GetElapsedTime(0, t) : null;

    /// <summary>The GO_AWAY code the peer sent, if it sent one.</summary>
    public YamuxGoAwayCode? RemoteGoAway
    {
        get
        {
            lock (_gate)
            {
                return _remoteGoAway;
            }
        }
    }

    internal YamuxFrameWriter Writer { get; }

    /// <summary>Round-trip time in <see cref="Stopwatch"/> ticks, 0 when unknown.</summary>
    internal long RoundTripTicks => Volatile.Read(ref _rttTicks);

    /// <summary>
    /// Opens a stream (sends WINDOW_UPDATE|SYN); data may be written before the peer's ACK. Waits while
    /// <see cref="YamuxOptions.MaxAckBacklog"/> opened streams are unacknowledged. Throws
    /// <see cref="YamuxSessionClosedException"/> after either side sent GO_AWAY or once the session ended.
    /// </summary>
    public async ValueTask<YamuxStream> OpenStreamAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task freed;
            lock (_gate)
            {
                ThrowIfNoNewStreams();
                if (_unacked < Options.MaxAckBacklog)
                {
                    if (_nextStreamId > uint.MaxValue)
                    {
                        throw new YamuxSessionClosedException("yamux: stream ids of this session are exhausted");
                    }

                    var stream = new YamuxStream(this, (uint)_nextStreamId, isOutbound: true, Options.InitialWindow);
                    _nextStreamId += 2;
                    _streams.Add(stream.Id, stream);
                    _unacked++;
                    stream.Open();
                    return stream;
                }

                _backlogFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                freed = _backlogFreed.Task;
            }

            await freed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The next stream the peer opened, acknowledged (ACK) as it is handed out; streams the peer reset before that
    /// are skipped. After the session ended, streams still queued are handed out (what they received stays
    /// readable), then it throws <see cref="YamuxSessionClosedException"/>.
    /// </summary>
    public async ValueTask<YamuxStream> AcceptStreamAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            YamuxStream stream;
            try
            {
                stream = await _accepted.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                throw ClosedException();
            }

            if (stream.Accept())
            {
                return stream;
            }
        }
    }

    /// <summary>Sends PING(SYN) and returns the time until the peer's ACK; the result also feeds window auto-tuning.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var answer = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        uint opaque;
        lock (_gate)
        {
            if (_closed)
            {
                throw ClosedException();
            }

            opaque = _nextPing++;
            _pings[opaque] = (answer, Stopwatch.GetTimestamp());
        }

        try
        {
            if (!Writer.TryEnqueue(new(YamuxFrameType.Ping, YamuxFlags.Syn, 0, opaque)))
            {
                throw ClosedException();
            }

            return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                if (_pings.TryGetValue(opaque, out var pending) && pending.Answer == answer)
                {
                    _pings.Remove(opaque);
                }
            }
        }
    }

    /// <summary>
    /// Sends GO_AWAY(<paramref name="code"/>) and opens or accepts no new streams. With <see cref="YamuxGoAwayCode.Normal"/>
    /// the open streams may finish and the session closes when the last one is done; any other code closes at once.
    /// Completes once the GO_AWAY frame was written (or the session ended).
    /// </summary>
    public async Task GoAwayAsync(YamuxGoAwayCode code = YamuxGoAwayCode.Normal)
    {
        bool drained;
        Task? written = null;
        lock (_gate)
        {
            if (_localGoAway || _closed)
            {
                return;
            }

            _localGoAway = true;
            drained = _streams.Count == 0;

            // Queued under the lock: the last stream finishing right now must not close the writer before it.
            if (code == YamuxGoAwayCode.Normal)
            {
                written = Writer.TryEnqueueAndWait(new(YamuxFrameType.GoAway, YamuxFlags.None, 0, (uint)code));
            }
        }

        if (code != YamuxGoAwayCode.Normal)
        {
            Close(new YamuxSessionClosedException($"yamux: closed locally with GO_AWAY ({code})"), code, graceful: false);
            await Completion.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            return;
        }

        if (drained)
        {
            Close(null, goAway: null, graceful: true);
        }

        if (written is not null)
        {
            await written.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Ends the session: sends GO_AWAY(normal) unless a GO_AWAY was already sent, writes what is queued, closes the
    /// connection. Open streams fail with <see cref="YamuxSessionClosedException"/>. Waits for <see cref="Completion"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        bool sendGoAway;
        lock (_gate)
        {
            sendGoAway = !_localGoAway;
            _localGoAway = true;
        }

        Close(null, sendGoAway ? YamuxGoAwayCode.Normal : null, graceful: true);
        await Completion.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
    }

    /// <summary>Takes a stream out of the table (both FINs done, or a reset).</summary>
    internal void RemoveStream(YamuxStream stream)
    {
        var drainedAfterGoAway = false;
        lock (_gate)
        {
            if (_streams.TryGetValue(stream.Id, out var current) && ReferenceEquals(current, stream))
            {
                _streams.Remove(stream.Id);
                if (!stream.IsOutbound)
                {
                    _inboundStreams--;
                }

                drainedAfterGoAway = _localGoAway && _streams.Count == 0;
            }
        }

        stream.MarkRemoved();
        if (stream.TryReleaseBacklogSlot())
        {
            OnBacklogSlotFreed();
        }

        if (drainedAfterGoAway)
        {
            Close(null, goAway: null, graceful: true);
        }
    }

    internal void OnBacklogSlotFreed()
    {
        TaskCompletionSource? freed;
        lock (_gate)
        {
            _unacked--;
            freed = _backlogFreed;
            _backlogFreed = null;
        }

        freed?.TrySetResult();
    }

    /// <summary>The exception for an operation that needs a live session.</summary>
    internal YamuxSessionClosedException ClosedException()
    {
        lock (_gate)
        {
            return _closeReason is { } reason
                ? new YamuxSessionClosedException($"yamux session closed: {reason.Message}", reason)
                : new YamuxSessionClosedException("yamux session closed");
        }
    }

    private void ThrowIfNoNewStreams()
    {
        if (_closed)
        {
            throw ClosedException();
        }

        if (_remoteGoAway is { } code)
        {
            throw new YamuxSessionClosedException($"yamux: the peer sent GO_AWAY ({code}); no new streams can be opened");
        }

        if (_localGoAway)
        {
            throw new YamuxSessionClosedException("yamux: this session sent GO_AWAY; no new streams can be opened");
        }
    }

    /// <summary>
    /// Ends the session once. <paramref name="reason"/> null = orderly end. <paramref name="graceful"/> writes the
    /// queued frames first; otherwise queued DATA is dropped and only control frames and the GO_AWAY go out.
    /// </summary>
    private void Close(Exception? reason, YamuxGoAwayCode? goAway, bool graceful)
    {
        List<YamuxStream> streams;
        List<TaskCompletionSource<TimeSpan>> pings;
        TaskCompletionSource? freed;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _closeReason = reason;
            streams = [.. _streams.Values];
            _streams.Clear();
            _inboundStreams = 0;
            pings = [.. _pings.Values.Select(p => p.Answer)];
            _pings.Clear();
            freed = _backlogFreed;
            _backlogFreed = null;
        }

        _logger.SessionClosed(_role, reason?.Message ?? "orderly end");
        var closed = ClosedException();
        foreach (var stream in streams)
        {
            stream.OnSessionClosed(closed);
        }

        // Streams still queued can be accepted: what they received (up to a FIN) stays readable.
        _accepted.Writer.TryComplete();

        foreach (var ping in pings)
        {
            ping.TrySetException(closed);
        }

        freed?.TrySetResult();
        Writer.Complete(goAway is { } code ? new YamuxFrameHeader(YamuxFrameType.GoAway, YamuxFlags.None, 0, (uint)code) : null, dropData: !graceful);
        _lifetime.Cancel();
        try
        {
            _writeCancel.CancelAfter(Options.CloseTimeout);
        }
        catch (ObjectDisposedException)
        {
            // The write loop already ended.
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await Writer.RunAsync(_writeCancel.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (!IsClosed)
            {
                _logger.ConnectionFailed(_role, ex);
            }

            Close(ex, goAway: null, graceful: false);
        }
        finally
        {
            // Everything worth sending is out: stop the read loop and drop the connection.
            _readCancel.Cancel();
            try
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.ConnectionFailed(_role, ex);
            }
        }
    }

    private async Task KeepAliveLoopAsync()
    {
        var interval = Options.KeepAliveInterval;
        try
        {
            using var timer = new PeriodicTimer(interval);
            do
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
                timeout.CancelAfter(interval);
                try
                {
                    await PingAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!_lifetime.IsCancellationRequested)
                {
                    _logger.KeepAliveTimeout(interval);
                    Close(new YamuxSessionClosedException($"yamux: keepalive ping unanswered within {interval}"), goAway: null, graceful: false);
                    return;
                }
            }
            while (await timer.WaitForNextTickAsync(_lifetime.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
        catch (YamuxSessionClosedException)
        {
        }
    }

    private async Task FinishAsync()
    {
        await Task.WhenAll(_readLoop, _writeLoop, _keepAlive).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        _readCancel.Dispose();
        _writeCancel.Dispose();
        _lifetime.Dispose();
        Exception? reason;
        lock (_gate)
        {
            reason = _closeReason;
        }

        if (reason is null)
        {
            _completion.TrySetResult();
        }
        else
        {
            _completion.TrySetException(reason);
        }
    }

    private bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }
}
