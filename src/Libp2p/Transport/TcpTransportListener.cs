using System.Net.Sockets;
using Granary.Libp2p.Multiaddrs;

namespace Granary.Libp2p.Transport;

/// <summary>A listening TCP socket and the address it is really bound to.</summary>
internal sealed class TcpTransportListener(Socket socket, Multiaddr listenAddress) : IDisposable
{
    /// <summary>The bound address with the real port (never <c>/tcp/0</c>), without <c>/p2p</c>.</summary>
    public Multiaddr ListenAddress { get; } = listenAddress;

    /// <summary>The next accepted connection, with Nagle off.</summary>
    /// <exception cref="ObjectDisposedException">The listener was stopped.</exception>
    public async ValueTask<Socket> AcceptAsync(CancellationToken cancellationToken)
    {
        var accepted = await socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
        accepted.NoDelay = true;
        return accepted;
    }

    /// <summary>Stops listening; a pending <see cref="AcceptAsync"/> fails.</summary>
    public void Dispose() => socket.Dispose();
}
