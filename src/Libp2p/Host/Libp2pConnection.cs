using System.Diagnostics;
using Granary.Libp2p.Identify;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Multistream;
using Granary.Libp2p.Noise;
using Granary.Libp2p.Peers;
using Granary.Libp2p.Transport;
using Granary.Libp2p.Yamux;

namespace Granary.Libp2p.Host;

/// <summary>
/// A live libp2p connection of a <see cref="Libp2pHost"/>: TCP, secured by Noise, multiplexed by yamux. Streams are
/// opened with <see cref="OpenStreamAsync(string, CancellationToken)"/>; inbound streams go to the host's handlers.
/// </summary>
public sealed class Libp2pConnection
{
    private readonly UpgradedConnection _upgraded;
    private readonly CancellationTokenSource _lifetime;

    // Kept apart from the source, which is disposed at close: a token stays usable (cancelled) after that.
    private readonly CancellationToken _lifetimeToken;
    private readonly TimeSpan _negotiationTimeout;
    private readonly TaskCompletionSource<IdentifyInfo> _identified = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _idleSince;
    private int _inboundPings;
    private int _closing;
    private volatile bool _dead;
    private IdentifyInfo? _identify;

    internal Libp2pConnection(
        UpgradedConnection upgraded,
        ConnectionDirection direction,
        Multiaddr remoteTransportAddress,
        Multiaddr localAddress,
        TimeSpan negotiationTimeout,
        CancellationToken hostLifetime)
    {
        _upgraded = upgraded;
        _negotiationTimeout = negotiationTimeout;
        _lifetime = CancellationTokenSource.CreateLinkedTokenSource(hostLifetime);
        _lifetimeToken = _lifetime.Token;
        _idleSince = Stopwatch.GetTimestamp();
        Direction = direction;
        RemoteTransportAddress = remoteTransportAddress;
        RemoteAddress = remoteTransportAddress.WithPeerIdMultihash(upgraded.Noise.RemotePeer.Multihash.Span);
        LocalAddress = localAddress;
        OpenedAt = DateTimeOffset.UtcNow;

        // Identify may fail; nobody has to look at that.
        _identified.Task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
    }

    /// <summary>The authenticated remote peer.</summary>
    public PeerId RemotePeer => _upgraded.Noise.RemotePeer;

    /// <summary>The remote identity key, as proven in the Noise handshake.</summary>
    public PublicKey RemotePublicKey => _upgraded.Noise.RemoteKey;

    /// <summary>The remote TCP address followed by <c>/p2p/&lt;peer&gt;</c> (dialable as it is).</summary>
    public Multiaddr RemoteAddress { get; }

    /// <summary>Our end of the TCP connection (no <c>/p2p</c>).</summary>
    public Multiaddr LocalAddress { get; }

    /// <summary>Outbound when this host dialled.</summary>
    public ConnectionDirection Direction { get; }

    /// <summary>The security protocol (<c>/noise</c>).</summary>
    public string Security => NoiseHandshake.ProtocolId;

    /// <summary>The stream muxer (<c>/yamux/1.0.0</c>).</summary>
    public string Muxer => _upgraded.Muxer;

    /// <summary>True when the muxer was agreed inside the Noise handshake, false when by multistream-select.</summary>
    public bool MuxerNegotiatedInline => _upgraded.MuxerInlined;

    /// <summary>When the upgrade completed.</summary>
    public DateTimeOffset OpenedAt { get; }

    /// <summary>False once the connection has closed (or is known to be closing).</summary>
    public bool IsOpen => !_dead && !_closed.Task.IsCompleted && !_upgraded.Session.Completion.IsCompleted;

    /// <summary>Whether new streams can be opened: open, and the peer has not sent GO_AWAY.</summary>
    internal bool AcceptsNewStreams => IsOpen && _upgraded.Session.RemoteGoAway is null;

    /// <summary>Streams open in either direction.</summary>
    public int ActiveStreams => _upgraded.Session.ActiveStreams;

    /// <summary>The latest identify result from this connection's peer, or null before it arrived.</summary>
    public IdentifyInfo? Identify => Volatile.Read(ref _identify);

    /// <summary>Completes (never faults) once the connection is closed and the host has forgotten it.</summary>
    public Task Closed => _closed.Task;

    /// <summary>The TCP address of the peer, without <c>/p2p</c> (what identify reports as observedAddr).</summary>
    internal Multiaddr RemoteTransportAddress { get; }

    internal YamuxSession Session => _upgraded.Session;

    /// <summary>Cancelled when the connection closes or the host shuts down.</summary>
    internal CancellationToken Lifetime => _lifetimeToken;

    /// <summary>The first identify exchange this connection ran (faulted when it failed).</summary>
    internal Task<IdentifyInfo> FirstIdentify => _identified.Task;

    /// <summary>
    /// Opens a stream and negotiates <paramref name="protocol"/>. Returns only after the peer confirmed the protocol,
    /// so a FIN sent right away can never overtake the negotiation.
    /// </summary>
    /// <exception cref="ProtocolNotSupportedException">The peer does not serve it.</exception>
    /// <exception cref="TimeoutException">The negotiation took longer than the host's negotiation timeout.</exception>
    /// <exception cref="YamuxSessionClosedException">The connection is closed or closing.</exception>
    public Task<Libp2pStream> OpenStreamAsync(string protocol, CancellationToken cancellationToken = default) =>
        OpenStreamAsync([protocol], cancellationToken);

    /// <summary>
    /// Opens a stream and negotiates the first of <paramref name="protocols"/> the peer accepts (tried in order);
    /// <see cref="Libp2pStream.Protocol"/> tells which.
    /// </summary>
    /// <exception cref="ProtocolNotSupportedException">The peer serves none of them.</exception>
    /// <exception cref="TimeoutException">The negotiation took longer than the host's negotiation timeout.</exception>
    /// <exception cref="YamuxSessionClosedException">The connection is closed or closing.</exception>
    public async Task<Libp2pStream> OpenStreamAsync(IReadOnlyList<string> protocols, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        YamuxStream stream;
        try
        {
            stream = await Session.OpenStreamAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (YamuxSessionClosedException)
        {
            _dead = true;
            throw;
        }

        using var negotiation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetimeToken);
        negotiation.CancelAfter(_negotiationTimeout);
        try
        {
            var protocol = await MultistreamSelect.SelectAsync(stream, protocols, negotiation.Token).ConfigureAwait(false);
            return new Libp2pStream(stream, protocol, this);
        }
        catch (ProtocolNotSupportedException)
        {
            // The peer answered properly; close the stream politely rather than resetting it.
            stream.Dispose();
            throw;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            stream.Reset();
            throw _lifetimeToken.IsCancellationRequested
                ? new YamuxSessionClosedException($"connection to {RemotePeer} closed while negotiating {string.Join(", ", protocols)}", e)
                : new TimeoutException($"negotiating {string.Join(", ", protocols)} with {RemotePeer} took longer than {_negotiationTimeout.TotalSeconds:0.###} s", e);
        }
        catch
        {
            stream.Reset();
            throw;
        }
    }

    /// <summary>One <c>/ipfs/ping/1.0.0</c> round trip on a new stream; returns the round-trip time.</summary>
    /// <exception cref="ProtocolNotSupportedException">The peer does not serve ping.</exception>
    /// <exception cref="Libp2pProtocolException">The echo was wrong or incomplete.</exception>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        await using var stream = await OpenStreamAsync(PingProtocol.Id, cancellationToken).ConfigureAwait(false);
        return await PingProtocol.PingAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Closes the connection: yamux GO_AWAY, queued frames are written (bounded by
    /// <see cref="YamuxOptions.CloseTimeout"/>), the socket is closed. Open streams fail.
    /// </summary>
    public async Task CloseAsync()
    {
        _dead = true;
        await Session.DisposeAsync().ConfigureAwait(false);
        await _closed.Task.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Direction} connection with {RemoteAddress}";

    /// <summary>Cuts the TCP connection without any goodbye (shutdown that ran out of time).</summary>
    internal void Abort()
    {
        _dead = true;
        _upgraded.Socket.Dispose();
    }

    /// <summary>Called by the host when the session has ended (or the connection was refused); idempotent.</summary>
    internal void OnClosed()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        _dead = true;
        _lifetime.Cancel();
        _lifetime.Dispose();
        _identified.TrySetException(new YamuxSessionClosedException($"connection to {RemotePeer} closed before identify completed"));
        _closed.TrySetResult();
    }

    internal void SetIdentify(IdentifyInfo info)
    {
        Volatile.Write(ref _identify, info);
        _identified.TrySetResult(info);
    }

    internal void FailIdentify(Exception reason) => _identified.TrySetException(reason);

    internal void MarkDead() => _dead = true;

    /// <summary>True when no stream was open for <paramref name="idleTicks"/> (stopwatch ticks) up to <paramref name="now"/>.</summary>
    internal bool IsIdle(long now, long idleTicks)
    {
        if (ActiveStreams > 0)
        {
            _idleSince = 0;
            return false;
        }

        if (_idleSince == 0)
        {
            _idleSince = now;
            return false;
        }

        return now - _idleSince >= idleTicks;
    }

    /// <summary>Claims one of the inbound ping stream slots; false when they are all taken.</summary>
    internal bool TryEnterInboundPing()
    {
        if (Interlocked.Increment(ref _inboundPings) <= PingProtocol.MaxInboundStreamsPerConnection)
        {
            return true;
        }

        Interlocked.Decrement(ref _inboundPings);
        return false;
    }

    internal void ExitInboundPing() => Interlocked.Decrement(ref _inboundPings);
}
