using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;

namespace Granary.Libp2p.Identify;

/// <summary>What a peer told us about itself over identify (<c>/ipfs/id/1.0.0</c>, updated by identify push).</summary>
/// <param name="PeerId">The peer, as authenticated by the Noise handshake of the connection that carried it.</param>
/// <param name="ProtocolVersion">e.g. <c>ipfs/0.1.0</c>; null when the peer did not say.</param>
/// <param name="AgentVersion">e.g. <c>js-libp2p/3.3.11 node/22.23.3</c>; null when the peer did not say.</param>
/// <param name="PublicKey">The peer's identity key (checked to match <paramref name="PeerId"/>).</param>
/// <param name="ListenAddrs">The addresses the peer listens on (addresses we could not parse are left out).</param>
/// <param name="ObservedAddr">Our address as the peer sees it, or null.</param>
/// <param name="Protocols">The protocols the peer serves.</param>
public sealed record IdentifyInfo(
    PeerId PeerId,
    string? ProtocolVersion,
    string? AgentVersion,
    PublicKey PublicKey,
    IReadOnlyList<Multiaddr> ListenAddrs,
    Multiaddr? ObservedAddr,
    IReadOnlyList<string> Protocols)
{
    /// <summary>
    /// The identify result for <paramref name="message"/> received on a connection authenticated as
    /// <paramref name="connectionKey"/>; <paramref name="previous"/> supplies the fields a push left out.
    /// </summary>
    /// <exception cref="Libp2pProtocolException">The publicKey is malformed or is not the key of the connection's
    /// peer (a peer must not claim another identity).</exception>
    internal static IdentifyInfo From(IdentifyMessage message, PublicKey connectionKey, IdentifyInfo? previous)
    {
        var peer = connectionKey.ToPeerId();
        var key = connectionKey;
        if (message.PublicKey is { } keyBytes)
        {
            PublicKey claimed;
            try
            {
                claimed = PublicKey.FromProtobuf(keyBytes);
            }
            catch (Libp2pProtocolException e)
            {
                throw new Libp2pProtocolException($"identify from {peer}: publicKey is not a valid libp2p key: {e.Message}", e);
            }

            if (claimed.ToPeerId() != peer)
            {
                throw new Libp2pProtocolException($"identify from {peer}: publicKey belongs to {claimed.ToPeerId()}, not to the connection's peer");
            }

            key = claimed;
        }

        return new IdentifyInfo(
            peer,
            message.ProtocolVersion ?? previous?.ProtocolVersion,
            message.AgentVersion ?? previous?.AgentVersion,
            key,
            message.ListenAddrs is { } addrs ? ParseAddresses(addrs) : previous?.ListenAddrs ?? [],
            message.ObservedAddr is { } observed ? Multiaddr.TryFromBytes(observed, out var o) ? o : null : previous?.ObservedAddr,
            message.Protocols is { } protocols ? [.. protocols.Distinct(StringComparer.Ordinal)] : previous?.Protocols ?? []);
    }

    // Peers may announce transports this host has no codec for (webrtc, onion…): skip those, keep the rest.
    private static Multiaddr[] ParseAddresses(List<byte[]> addresses) =>
        [.. addresses.Select(a => Multiaddr.TryFromBytes(a, out var m) ? m : null).OfType<Multiaddr>().Distinct()];
}
