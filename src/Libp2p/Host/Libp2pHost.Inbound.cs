using System.Net;
using System.Net.Sockets;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Multistream;
using Granary.Libp2p.Transport;
using Granary.Libp2p.Yamux;

namespace Granary.Libp2p.Host;

/// <summary>Accepting connections and serving inbound streams.</summary>
public sealed partial class Libp2pHost
{
    private async Task AcceptLoopAsync(TcpTransportListener listener)
    {
        var token = _lifetime.Token;
        while (!token.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Typically out of file descriptors or a connection aborted in the queue: back off, keep listening.
                _logger.AcceptFailed(listener.ListenAddress, e);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            var open = Interlocked.Increment(ref _inbound);
            if (open > Options.MaxInboundConnections)
            {
                Interlocked.Decrement(ref _inbound);
                _logger.InboundConnectionLimit(Describe(socket.RemoteEndPoint), open - 1, Options.MaxInboundConnections);
                socket.Dispose();
                continue;
            }

            _ = Task.Run(() => AcceptConnectionAsync(socket));
        }
    }

    // Upgrades one accepted socket; the inbound slot taken by the accept loop is released when the connection ends.
    private async Task AcceptConnectionAsync(Socket socket)
    {
        var remote = socket.RemoteEndPoint as IPEndPoint;
        var local = socket.LocalEndPoint as IPEndPoint;
        var registered = false;
        try
        {
            UpgradedConnection upgraded;
            try
            {
                upgraded = await _upgrader.UpgradeAsync(socket, outbound: false, expectedRemote: null, Options.HandshakeTimeout, _lifetime.Token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _logger.HandshakeTimeout(ConnectionDirection.Inbound, Describe(remote), Options.HandshakeTimeout);
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.HandshakeFailed(ConnectionDirection.Inbound, Describe(remote), e.Message);
                return;
            }

            var connection = new Libp2pConnection(
                upgraded,
                ConnectionDirection.Inbound,
                remote is null ? Multiaddr.Empty : Multiaddr.FromTcpEndpoint(remote),
                local is null ? Multiaddr.Empty : Multiaddr.FromTcpEndpoint(local),
                Options.NegotiationTimeout,
                _lifetime.Token);
            if (!TryRegister(connection, out var peerConnections))
            {
                if (peerConnections >= Options.MaxConnectionsPerPeer)
                {
                    _logger.PeerConnectionLimit(connection.RemotePeer, connection.RemoteAddress, peerConnections, Options.MaxConnectionsPerPeer);
                }

                await upgraded.Session.DisposeAsync().ConfigureAwait(false);
                connection.OnClosed();
                return;
            }

            registered = true;
            Run(connection);
        }
        finally
        {
            if (!registered)
            {
                Interlocked.Decrement(ref _inbound);
            }
        }
    }

    private async Task AcceptStreamsAsync(Libp2pConnection connection)
    {
        while (true)
        {
            YamuxStream stream;
            try
            {
                stream = await connection.Session.AcceptStreamAsync(connection.Lifetime).ConfigureAwait(false);
            }
            catch (Exception e) when (e is YamuxSessionClosedException or OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            // Off the accept loop: a slow negotiation or handler must not hold up the next stream.
            _ = Task.Run(() => ServeStreamAsync(connection, stream));
        }
    }

    private async Task ServeStreamAsync(Libp2pConnection connection, YamuxStream yamuxStream)
    {
        string protocol;
        using (var negotiation = CancellationTokenSource.CreateLinkedTokenSource(connection.Lifetime))
        {
            negotiation.CancelAfter(Options.NegotiationTimeout);
            try
            {
                protocol = await MultistreamSelect.HandleAsync(yamuxStream, _handlers.ContainsKey, ListProtocols, negotiation.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!connection.Lifetime.IsCancellationRequested)
            {
                _logger.StreamNegotiationTimeout(connection.RemotePeer, Options.NegotiationTimeout);
                yamuxStream.Reset();
                return;
            }
            catch (Exception e)
            {
                if (!connection.Lifetime.IsCancellationRequested)
                {
                    _logger.StreamNegotiationFailed(connection.RemotePeer, e.Message);
                }

                yamuxStream.Reset();
                return;
            }
        }

        if (!_handlers.TryGetValue(protocol, out var handler))
        {
            // Removed while we were agreeing on it.
            yamuxStream.Reset();
            return;
        }

        var stream = new Libp2pStream(yamuxStream, protocol, connection);
        try
        {
            await handler(stream, connection.Lifetime).ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (connection.Lifetime.IsCancellationRequested
                || e is YamuxSessionClosedException or Libp2pProtocolException or YamuxStreamResetException { ByRemote: true })
            {
                // The peer went away, aborted the stream or broke the protocol: nothing wrong with the handler.
                _logger.StreamFailed(connection.RemotePeer, protocol, e.Message);
            }
            else
            {
                _logger.HandlerFailed(protocol, connection.RemotePeer, e);
            }

            stream.Reset();
        }
    }

    private IReadOnlyCollection<string> ListProtocols() => Protocols;

    private static string Describe(EndPoint? endPoint) => endPoint?.ToString() ?? "an unknown address";
}
