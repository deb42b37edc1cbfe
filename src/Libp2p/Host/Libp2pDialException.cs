using Granary.Libp2p.Multiaddrs;

namespace Granary.Libp2p.Host;

/// <summary>
/// A dial failed: the TCP connect (refused, unreachable, timed out, name not resolved) or the upgrade (the peer is
/// not the one in the address's <c>/p2p/</c>, broke a protocol, or did not finish the handshake in time). The
/// message names the address and the cause; <see cref="Exception.InnerException"/> is the original error.
/// </summary>
public sealed class Libp2pDialException(Multiaddr address, string reason, Exception? inner = null)
    : IOException($"dial {address} failed: {reason}", inner)
{
    /// <summary>The address that was dialled.</summary>
    public Multiaddr Address { get; } = address;
}
