using System.Net;
using System.Net.Sockets;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Multistream;
using Granary.Libp2p.Peers;
using Granary.Libp2p.Transport;
using Granary.Libp2p.Yamux;

namespace Granary.Libp2p.Host;

/// <summary>Dialling, outbound streams and ping.</summary>
public sealed partial class Libp2pHost
{
    /// <summary>
    /// A connection to the peer at <paramref name="address"/>. When the address ends in <c>/p2p/&lt;id&gt;</c>, a
    /// live connection to that peer is reused whatever its address (concurrent dials to one peer share one
    /// attempt), and the peer must prove that id in the handshake. Without <c>/p2p/</c> every call dials afresh
    /// and accepts whoever answers.
    /// </summary>
    /// <exception cref="Libp2pDialException">Connect or upgrade failed, or the peer is not the one named by <c>/p2p/</c>.</exception>
    /// <exception cref="ArgumentException">Not a TCP address (<c>/ip4|ip6|dns|dns4|dns6/…/tcp/N[/p2p/id]</c>).</exception>
    public async Task<Libp2pConnection> DialAsync(Multiaddr address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!TcpTransport.CanDial(address))
        {
            throw new ArgumentException($"cannot dial {address}: not a TCP address (/ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>[/p2p/<id>])", nameof(address));
        }

        var peer = PeerOf(address);
        if (peer is not { } expected)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
            return await DialNewAsync(address, null, linked.Token).ConfigureAwait(false);
        }

        if (expected == PeerId)
        {
            throw new Libp2pDialException(address, "the address names this host's own peer id");
        }

        Task<Libp2pConnection> dial;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (LiveConnectionLocked(expected) is { } live)
            {
                return live;
            }

            if (!_pendingDials.TryGetValue(expected, out dial!))
            {
                // Shared by every caller, so no caller's token may cancel it; the host's lifetime and timeouts bound it.
                dial = Task.Run(() => DialSharedAsync(address, expected));
                _pendingDials[expected] = dial;
            }
        }

        return await dial.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A new connection to <paramref name="address"/>, never a reused one (e.g. to measure a handshake). A
    /// <c>/p2p/</c> component is still checked against the peer's handshake.
    /// </summary>
    /// <exception cref="Libp2pDialException">Connect or upgrade failed, or the peer is not the one named by <c>/p2p/</c>.</exception>
    /// <exception cref="ArgumentException">Not a TCP address.</exception>
    public async Task<Libp2pConnection> DialFreshAsync(Multiaddr address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!TcpTransport.CanDial(address))
        {
            throw new ArgumentException($"cannot dial {address}: not a TCP address (/ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>[/p2p/<id>])", nameof(address));
        }

        var peer = PeerOf(address);
        if (peer == PeerId)
        {
            throw new Libp2pDialException(address, "the address names this host's own peer id");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        return await DialNewAsync(address, peer, linked.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens a stream to the peer at <paramref name="address"/> (dialling or reusing, see <see cref="DialAsync"/>)
    /// and negotiates <paramref name="protocol"/>; returns after the peer confirmed it.
    /// </summary>
    /// <exception cref="ProtocolNotSupportedException">The peer does not serve the protocol.</exception>
    /// <exception cref="Libp2pDialException">No connection could be made.</exception>
    /// <exception cref="TimeoutException">The negotiation took longer than <see cref="Libp2pHostOptions.NegotiationTimeout"/>.</exception>
    public Task<Libp2pStream> NewStreamAsync(Multiaddr address, string protocol, CancellationToken cancellationToken = default) =>
        NewStreamAsync(address, [protocol], cancellationToken);

    /// <summary>
    /// Like <see cref="NewStreamAsync(Multiaddr, string, CancellationToken)"/>, negotiating the first of
    /// <paramref name="protocols"/> the peer accepts (<see cref="Libp2pStream.Protocol"/> says which).
    /// </summary>
    public async Task<Libp2pStream> NewStreamAsync(Multiaddr address, IReadOnlyList<string> protocols, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        var connection = await DialAsync(address, cancellationToken).ConfigureAwait(false);
        try
        {
            return await connection.OpenStreamAsync(protocols, cancellationToken).ConfigureAwait(false);
        }
        catch (YamuxSessionClosedException) when (PeerOf(address) is not null)
        {
            // A reused connection can die (idle close, GO_AWAY from the peer) just as we pick it: dial once more.
            connection.MarkDead();
            connection = await DialAsync(address, cancellationToken).ConfigureAwait(false);
            return await connection.OpenStreamAsync(protocols, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Opens a stream to <paramref name="peer"/> on a live connection, or, when there is none, by dialling the
    /// address this host last reached it at.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not connected and no address known for the peer.</exception>
    public Task<Libp2pStream> NewStreamAsync(PeerId peer, string protocol, CancellationToken cancellationToken = default) =>
        NewStreamAsync(peer, [protocol], cancellationToken);

    /// <summary>
    /// Like <see cref="NewStreamAsync(PeerId, string, CancellationToken)"/>, negotiating the first of
    /// <paramref name="protocols"/> the peer accepts.
    /// </summary>
    public async Task<Libp2pStream> NewStreamAsync(PeerId peer, IReadOnlyList<string> protocols, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        Multiaddr? address;
        Libp2pConnection? connection;
        lock (_gate)
        {
            connection = LiveConnectionLocked(peer);
            _dialedAddresses.TryGetValue(peer, out address);
        }

        if (connection is not null)
        {
            try
            {
                return await connection.OpenStreamAsync(protocols, cancellationToken).ConfigureAwait(false);
            }
            catch (YamuxSessionClosedException) when (address is not null)
            {
                connection.MarkDead();
            }
        }

        if (address is null)
        {
            throw new InvalidOperationException($"not connected to {peer} and no address is known for it; dial a multiaddr first");
        }

        return await NewStreamAsync(address, protocols, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One <c>/ipfs/ping/1.0.0</c> round trip to the peer at <paramref name="address"/> (dialling if needed).</summary>
    public async Task<TimeSpan> PingAsync(Multiaddr address, CancellationToken cancellationToken = default)
    {
        await using var stream = await NewStreamAsync(address, PingProtocol.Id, cancellationToken).ConfigureAwait(false);
        return await PingProtocol.PingAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One <c>/ipfs/ping/1.0.0</c> round trip to <paramref name="peer"/> (see <see cref="NewStreamAsync(PeerId, string, CancellationToken)"/>).</summary>
    public async Task<TimeSpan> PingAsync(PeerId peer, CancellationToken cancellationToken = default)
    {
        await using var stream = await NewStreamAsync(peer, PingProtocol.Id, cancellationToken).ConfigureAwait(false);
        return await PingProtocol.PingAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    private static PeerId? PeerOf(Multiaddr address) =>
        address.PeerIdMultihash is { } multihash ? Peers.PeerId.FromMultihash(multihash.Span) : null;

    private async Task<Libp2pConnection> DialSharedAsync(Multiaddr address, PeerId expected)
    {
        try
        {
            return await DialNewAsync(address, expected, _lifetime.Token).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _pendingDials.Remove(expected);
            }
        }
    }

    private async Task<Libp2pConnection> DialNewAsync(Multiaddr address, PeerId? expected, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_lifetime.IsCancellationRequested, this);
        Socket socket;
        try
        {
            socket = await TcpTransport.ConnectAsync(address, Options.DialTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.DialFailed(address, e.Message);
            throw new Libp2pDialException(address, e.Message, e);
        }

        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        var local = (IPEndPoint)socket.LocalEndPoint!;
        UpgradedConnection upgraded;
        try
        {
            upgraded = await _upgrader.UpgradeAsync(socket, outbound: true, expected, Options.HandshakeTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (e is TimeoutException)
            {
                _logger.HandshakeTimeout(ConnectionDirection.Outbound, address.ToString(), Options.HandshakeTimeout);
            }
            else
            {
                _logger.HandshakeFailed(ConnectionDirection.Outbound, address.ToString(), e.Message);
            }

            throw new Libp2pDialException(address, e.Message, e);
        }

        var connection = new Libp2pConnection(
            upgraded,
            ConnectionDirection.Outbound,
            Multiaddr.FromTcpEndpoint(remote),
            Multiaddr.FromTcpEndpoint(local),
            Options.NegotiationTimeout,
            _lifetime.Token);

        // Dialling never refuses for the per-peer limit (reuse keeps it low); only a host shutting down does.
        bool registered;
        lock (_gate)
        {
            registered = !_disposed;
            if (registered)
            {
                _connections.Add(connection);
                _dialedAddresses[connection.RemotePeer] = expected is null ? address.WithPeerIdMultihash(connection.RemotePeer.Multihash.Span) : address;
            }
        }

        if (!registered)
        {
            await upgraded.Session.DisposeAsync().ConfigureAwait(false);
            connection.OnClosed();
            throw new ObjectDisposedException(nameof(Libp2pHost));
        }

        Run(connection);
        return connection;
    }
}
