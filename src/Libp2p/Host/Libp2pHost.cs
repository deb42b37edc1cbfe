using System.Collections.Concurrent;
using System.Diagnostics;
using Granary.Libp2p.Identify;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;
using Granary.Libp2p.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Libp2p.Host;

/// <summary>
/// A libp2p host: TCP transport, Noise security, yamux multiplexing, identify and ping, and application protocols
/// registered with <see cref="SetHandler"/>. It listens (<see cref="StartAsync"/>), dials
/// (<see cref="DialAsync"/>, reusing a live connection to the same peer), and opens streams
/// (<see cref="NewStreamAsync(Multiaddr, string, CancellationToken)"/>). Every new connection, in either direction,
/// runs identify towards the peer, as js-libp2p does.
/// </summary>
/// <remarks>
/// Failure isolation: a peer that misbehaves (bad bytes, silence, limits) loses its stream or its connection — the
/// reason is logged — and the host goes on serving everyone else. All limits and timeouts are in
/// <see cref="Libp2pHostOptions"/>. Events are raised on thread-pool threads; exceptions thrown by event handlers
/// are logged and swallowed.
/// </remarks>
public sealed partial class Libp2pHost : IAsyncDisposable
{
    private const int MaxRememberedPeers = 4096;

    private readonly Identity _identity;
    private readonly ILogger _logger;
    private readonly ConnectionUpgrader _upgrader;
    private readonly ConcurrentDictionary<string, Func<Libp2pStream, CancellationToken, Task>> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<PeerId, IdentifyInfo> _identified = new();
    private readonly Lock _gate = new();
    private readonly List<Libp2pConnection> _connections = [];
    private readonly Dictionary<PeerId, Task<Libp2pConnection>> _pendingDials = [];
    private readonly Dictionary<PeerId, Multiaddr> _dialedAddresses = [];
    private readonly List<TcpTransportListener> _listeners = [];
    private readonly List<Task> _loops = [];
    private readonly CancellationTokenSource _lifetime = new();
    private Multiaddr[] _listenAddresses = [];
    private Multiaddr[] _advertisedAddresses = [];
    private int _inbound;
    private bool _started;
    private bool _disposed;

    /// <summary>Creates a host; it dials at once and listens after <see cref="StartAsync"/>.</summary>
    /// <param name="identity">The host's identity (its peer id).</param>
    /// <param name="options">Limits and timeouts; <see cref="Libp2pHostOptions.Default"/> when null.</param>
    /// <param name="loggerFactory">Where the host and its yamux sessions log; nothing is logged when null.</param>
    public Libp2pHost(Identity identity, Libp2pHostOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        options ??= Libp2pHostOptions.Default;
        options.Validate();
        _identity = identity;
        Options = options;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger("Granary.Libp2p.Host");
        _upgrader = new ConnectionUpgrader(identity, options.InlineMuxerNegotiation, options.Yamux, loggerFactory.CreateLogger("Granary.Libp2p.Yamux"));
        _handlers[IdentifyProtocol.Id] = ServeIdentifyAsync;
        _handlers[IdentifyProtocol.PushId] = ReceiveIdentifyPushAsync;
        _handlers[PingProtocol.Id] = ServePingAsync;
        if (options.IdleTimeoutEnabled)
        {
            _loops.Add(Task.Run(CloseIdleConnectionsAsync));
        }
    }

    /// <summary>Raised when a connection is up (after the handshake, before identify), either direction.</summary>
    public event EventHandler<Libp2pConnection>? ConnectionOpened;

    /// <summary>Raised when a connection has closed and was removed from <see cref="Connections"/>.</summary>
    public event EventHandler<Libp2pConnection>? ConnectionClosed;

    /// <summary>Raised for every identify result received (the first exchange of a connection and later pushes).</summary>
    public event EventHandler<IdentifyInfo>? PeerIdentified;

    /// <summary>This host's peer id.</summary>
    public PeerId PeerId => _identity.PeerId;

    /// <summary>The options the host runs with.</summary>
    public Libp2pHostOptions Options { get; }

    /// <summary>The addresses listened on, with the real ports (never <c>/tcp/0</c>), without <c>/p2p</c>.</summary>
    public IReadOnlyList<Multiaddr> ListenAddresses => Volatile.Read(ref _listenAddresses);

    /// <summary>
    /// What identify announces: <see cref="Libp2pHostOptions.AnnounceAddresses"/> if set, otherwise
    /// <see cref="ListenAddresses"/> with wildcard binds expanded to the interface addresses.
    /// </summary>
    public IReadOnlyList<Multiaddr> AdvertisedAddresses => Volatile.Read(ref _advertisedAddresses);

    /// <summary>The protocols served, sorted (identify, identify push and ping included).</summary>
    public IReadOnlyList<string> Protocols => [.. _handlers.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The open connections, a snapshot.</summary>
    public IReadOnlyCollection<Libp2pConnection> Connections
    {
        get
        {
            lock (_gate)
            {
                return [.. _connections.Where(c => c.IsOpen)];
            }
        }
    }

    /// <summary>
    /// Listens on every address (<c>/ip4/…/tcp/N</c> or <c>/ip6/…/tcp/N</c>; port 0 picks a free port). Either all
    /// listeners start or none does. Can be called once.
    /// </summary>
    /// <exception cref="ArgumentException">An address that is not IP + TCP.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">A bind failed (e.g. the port is in use).</exception>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public Task StartAsync(IEnumerable<Multiaddr> listenAddresses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listenAddresses);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                throw new InvalidOperationException("the host was already started");
            }

            _started = true;
        }

        var opened = new List<TcpTransportListener>();
        try
        {
            foreach (var address in listenAddresses)
            {
                opened.Add(TcpTransport.Listen(address));
            }
        }
        catch
        {
            opened.ForEach(l => l.Dispose());
            lock (_gate)
            {
                _started = false;
            }

            throw;
        }

        Multiaddr[] bound = [.. opened.Select(l => l.ListenAddress)];
        Volatile.Write(ref _listenAddresses, bound);
        Volatile.Write(ref _advertisedAddresses, Options.AnnounceAddresses.Count > 0 ? [.. Options.AnnounceAddresses] : ListenAddressExpansion.Expand(bound));
        lock (_gate)
        {
            if (_disposed)
            {
                opened.ForEach(l => l.Dispose());
                throw new ObjectDisposedException(nameof(Libp2pHost));
            }

            _listeners.AddRange(opened);
            foreach (var listener in opened)
            {
                _logger.Listening(PeerId, listener.ListenAddress);
                _loops.Add(Task.Run(() => AcceptLoopAsync(listener)));
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Serves <paramref name="protocol"/> on inbound streams with <paramref name="handler"/> (replacing any handler
    /// for it, built-in ones included). The handler owns the stream: it runs on the thread pool, its token is
    /// cancelled when the connection closes or the host shuts down, and the stream is disposed (FIN) when it
    /// returns; an exception is logged and resets that stream only.
    /// </summary>
    public void SetHandler(string protocol, Func<Libp2pStream, CancellationToken, Task> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(protocol);
        ArgumentNullException.ThrowIfNull(handler);
        if (protocol.Contains('\n', StringComparison.Ordinal) || System.Text.Encoding.UTF8.GetByteCount(protocol) > Multistream.MultistreamSelect.MaxProtocolLength)
        {
            throw new ArgumentException($"a protocol id must have no newline and at most {Multistream.MultistreamSelect.MaxProtocolLength} UTF-8 bytes", nameof(protocol));
        }

        _handlers[protocol] = handler;
    }

    /// <summary>Stops serving <paramref name="protocol"/>; returns whether it was served. Running streams go on.</summary>
    public bool RemoveHandler(string protocol) => _handlers.TryRemove(protocol, out _);

    /// <summary>
    /// The last identify result received from <paramref name="peer"/>. While the first identify exchange of a live
    /// connection is still running, waits for it.
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing is known: not connected and never identified.</exception>
    /// <exception cref="Libp2pProtocolException">The identify exchange failed (e.g. the peer claimed another key).</exception>
    public async Task<IdentifyInfo> IdentifyAsync(PeerId peer, CancellationToken cancellationToken = default)
    {
        var connection = LiveConnection(peer);
        if (connection is not null)
        {
            try
            {
                await connection.FirstIdentify.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested && _identified.ContainsKey(peer))
            {
                // An older result (another connection, an earlier push) still answers the question.
            }
        }

        return _identified.TryGetValue(peer, out var info)
            ? info
            : throw new InvalidOperationException($"no identify result from {peer}: not connected to it");
    }

    /// <summary>
    /// Shuts down: stops the listeners, cancels the handlers, closes every connection with yamux GO_AWAY, and cuts
    /// whatever has not closed within <see cref="Libp2pHostOptions.ShutdownTimeout"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Libp2pConnection[] connections;
        Task[] loops;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _listeners.ForEach(l => l.Dispose());
            _listeners.Clear();
            connections = [.. _connections];
            loops = [.. _loops];
        }

        _lifetime.Cancel();
        var closing = Task.WhenAll(connections.Select(c => c.CloseAsync()).Append(Task.WhenAll(loops)));
        try
        {
            await closing.WaitAsync(Options.ShutdownTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var open = connections.Where(c => !c.Closed.IsCompleted).ToArray();
            _logger.ShutdownTimedOut(open.Length, Options.ShutdownTimeout);
            foreach (var connection in open)
            {
                connection.Abort();
            }
        }
        catch (Exception)
        {
            // Connections that failed while closing are closed all the same.
        }
    }

    private Libp2pConnection? LiveConnection(PeerId peer)
    {
        lock (_gate)
        {
            return LiveConnectionLocked(peer);
        }
    }

    // The newest open connection to the peer: the most likely to be healthy.
    private Libp2pConnection? LiveConnectionLocked(PeerId peer)
    {
        for (var i = _connections.Count - 1; i >= 0; i--)
        {
            if (_connections[i].RemotePeer == peer && _connections[i].AcceptsNewStreams)
            {
                return _connections[i];
            }
        }

        return null;
    }

    /// <summary>Adds an upgraded connection to the table; false (with the open count) when a limit refuses it.</summary>
    private bool TryRegister(Libp2pConnection connection, out int peerConnections)
    {
        lock (_gate)
        {
            peerConnections = _connections.Count(c => c.RemotePeer == connection.RemotePeer);
            if (_disposed || peerConnections >= Options.MaxConnectionsPerPeer)
            {
                return false;
            }

            _connections.Add(connection);
            return true;
        }
    }

    /// <summary>Runs a registered connection: its inbound streams, its end, and identify towards the peer.</summary>
    private void Run(Libp2pConnection connection)
    {
        _logger.ConnectionOpened(connection.Direction, connection.RemotePeer, connection.RemoteAddress, connection.Muxer, connection.MuxerNegotiatedInline);
        _ = Task.Run(() => AcceptStreamsAsync(connection));
        _ = WatchAsync(connection);
        Raise(ConnectionOpened, connection, nameof(ConnectionOpened));
        _ = Task.Run(() => RunIdentifyAsync(connection));
    }

    private async Task WatchAsync(Libp2pConnection connection)
    {
        string reason;
        try
        {
            await connection.Session.Completion.ConfigureAwait(false);
            reason = "closed";
        }
        catch (Exception e)
        {
            reason = e.Message;
        }

        lock (_gate)
        {
            _connections.Remove(connection);
            TrimPeerTablesLocked();
        }

        if (connection.Direction == ConnectionDirection.Inbound)
        {
            Interlocked.Decrement(ref _inbound);
        }

        connection.OnClosed();
        _logger.ConnectionClosed(connection.RemotePeer, connection.RemoteAddress, reason);
        Raise(ConnectionClosed, connection, nameof(ConnectionClosed));
    }

    // What we know of peers outlives their connections, up to a bound; past it, disconnected peers are forgotten.
    private void TrimPeerTablesLocked()
    {
        if (_identified.Count <= MaxRememberedPeers && _dialedAddresses.Count <= MaxRememberedPeers)
        {
            return;
        }

        var connected = _connections.Select(c => c.RemotePeer).ToHashSet();
        foreach (var peer in _identified.Keys.Where(p => !connected.Contains(p)))
        {
            _identified.TryRemove(peer, out _);
        }

        foreach (var peer in _dialedAddresses.Keys.Where(p => !connected.Contains(p)).ToArray())
        {
            _dialedAddresses.Remove(peer);
        }
    }

    private async Task CloseIdleConnectionsAsync()
    {
        var idle = Options.IdleTimeout;
        var period = TimeSpan.FromTicks(Math.Clamp(idle.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(5).Ticks));
        var idleTicks = (long)(idle.TotalSeconds * Stopwatch.Frequency);
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_lifetime.Token).ConfigureAwait(false))
            {
                Libp2pConnection[] connections;
                lock (_gate)
                {
                    connections = [.. _connections];
                }

                var now = Stopwatch.GetTimestamp();
                foreach (var connection in connections)
                {
                    if (connection.IsOpen && connection.IsIdle(now, idleTicks))
                    {
                        _logger.IdleConnection(connection.RemotePeer, connection.RemoteAddress, idle);
                        _ = connection.CloseAsync();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Raise<T>(EventHandler<T>? handler, T argument, string name)
    {
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, argument);
        }
        catch (Exception e)
        {
            _logger.EventHandlerFailed(name, e);
        }
    }
}
