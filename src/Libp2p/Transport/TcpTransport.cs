using System.Net;
using System.Net.Sockets;
using Granary.Libp2p.Multiaddrs;

namespace Granary.Libp2p.Transport;

/// <summary>
/// Plain TCP for libp2p: listens on <c>/ip4/…/tcp/N</c> and <c>/ip6/…/tcp/N</c>, dials those and
/// <c>/dns|dns4|dns6/name/tcp/N</c> (names are resolved at dial time, each resolved address is tried in turn).
/// Every socket has Nagle off: libp2p's small control frames (multistream lines, yamux window updates, pings) must
/// not wait for an ACK.
/// </summary>
internal static class TcpTransport
{
    /// <summary>Pending-accept queue of a listening socket.</summary>
    public const int ListenBacklog = 512;

    /// <summary>Whether <paramref name="address"/> is something <see cref="ConnectAsync"/> can dial.</summary>
    public static bool CanDial(Multiaddr address) => address.TryGetTcpEndpoint(out EndPoint? _);

    /// <summary>
    /// Binds and listens on <paramref name="address"/> (an IP literal, not a name). Port 0 binds an ephemeral
    /// port; <see cref="TcpTransportListener.ListenAddress"/> reports the real one. An IPv6 socket is IPv6-only so
    /// that <c>/ip4/0.0.0.0/tcp/N</c> and <c>/ip6/::/tcp/N</c> can be bound side by side.
    /// </summary>
    /// <exception cref="ArgumentException">Not an <c>/ip4|ip6/…/tcp/N</c> address.</exception>
    /// <exception cref="SocketException">The bind or listen failed (port in use, address not local…).</exception>
    public static TcpTransportListener Listen(Multiaddr address)
    {
        if (!address.TryGetTcpEndpoint(out EndPoint? endPoint) || endPoint is not IPEndPoint ip || address.PeerIdMultihash is not null)
        {
            throw new ArgumentException($"cannot listen on {address}: only /ip4/<addr>/tcp/<port> and /ip6/<addr>/tcp/<port> are supported", nameof(address));
        }

        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (ip.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }

            socket.Bind(ip);
            socket.Listen(ListenBacklog);
            return new TcpTransportListener(socket, Multiaddr.FromTcpEndpoint((IPEndPoint)socket.LocalEndPoint!));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connects to <paramref name="address"/>. A DNS name is resolved first (dns4: IPv4 only, dns6: IPv6 only,
    /// dns: both) and the addresses are tried in order; <paramref name="timeout"/> bounds resolution and all attempts.
    /// </summary>
    /// <exception cref="ArgumentException">Not a plain TCP address.</exception>
    /// <exception cref="TimeoutException">No connection within <paramref name="timeout"/>.</exception>
    /// <exception cref="SocketException">Refused, unreachable, or the name did not resolve.</exception>
    public static async Task<Socket> ConnectAsync(Multiaddr address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!address.TryGetTcpEndpoint(out EndPoint? endPoint))
        {
            throw new ArgumentException($"cannot dial {address}: not a TCP address (/ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>[/p2p/<id>])", nameof(address));
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            if (endPoint is IPEndPoint ip)
            {
                return await ConnectOneAsync(ip, deadline.Token).ConfigureAwait(false);
            }

            var dns = (DnsEndPoint)endPoint;
            var addresses = await Dns.GetHostAddressesAsync(dns.Host, dns.AddressFamily, deadline.Token).ConfigureAwait(false);
            if (addresses.Length == 0)
            {
                throw new SocketException((int)SocketError.HostNotFound, $"{dns.Host} has no {dns.AddressFamily} address");
            }

            SocketException? last = null;
            foreach (var candidate in addresses)
            {
                try
                {
                    return await ConnectOneAsync(new IPEndPoint(candidate, dns.Port), deadline.Token).ConfigureAwait(false);
                }
                catch (SocketException e)
                {
                    last = e;
                }
            }

            throw last!;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"TCP connect to {address} did not complete within {timeout.TotalSeconds:0.###} s");
        }
    }

    private static async Task<Socket> ConnectOneAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
