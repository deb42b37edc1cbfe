using Granary.Filecoin.Encoding;
using PeerIdentity = Granary.Libp2p.Peers.PeerId;

namespace Granary.Libp2p.Multiaddrs;

public sealed partial class Multiaddr
{
    /// <summary>
    /// The multihash of the peer this address reaches: the value of the last <c>/p2p/</c> after the last
    /// <c>/p2p-circuit</c> (so a relay's id in <c>/p2p/relay/p2p-circuit</c> is not taken for the target's, as in js);
    /// null when there is none.
    /// </summary>
    public ReadOnlyMemory<byte>? PeerIdMultihash
    {
        get
        {
            ReadOnlyMemory<byte>? found = null;
            foreach (var component in _components)
            {
                if (component.Protocol == MultiaddrProtocol.P2p)
                {
                    found = component.RawValue;
                }
                else if (component.Protocol == MultiaddrProtocol.P2pCircuit)
                {
                    found = null;
                }
            }

            return found;
        }
    }

    /// <summary>
    /// The peer this address reaches (see <see cref="PeerIdMultihash"/> for which /p2p/ counts), or null. Never
    /// throws: /p2p/ values are validated as peer ids when the address is parsed.
    /// </summary>
    public PeerIdentity? PeerId => PeerIdMultihash is { } multihash ? PeerIdentity.FromMultihash(multihash.Span) : null;

    /// <summary>This address ending in <c>/p2p/&lt;peerId&gt;</c> (see <see cref="WithPeerIdMultihash"/>).</summary>
    /// <exception cref="ArgumentException"><c>default(PeerId)</c>.</exception>
    /// <exception cref="MultiaddrFormatException">The result would exceed <see cref="MaxBytes"/>.</exception>
    public Multiaddr WithPeerId(PeerIdentity peerId) => peerId.IsEmpty
        ? throw new ArgumentException("default(PeerId) names no peer", nameof(peerId))
        : WithPeerIdMultihash(peerId.Multihash.Span);

    /// <summary>
    /// This address ending in <c>/p2p/&lt;multihash&gt;</c>: a trailing <c>/p2p/</c> component is replaced, otherwise
    /// one is appended (after a <c>/p2p-circuit</c> that names the target of a relayed address).
    /// </summary>
    /// <exception cref="MultiaddrFormatException">Not a valid peer id multihash, or the result exceeds <see cref="MaxBytes"/>.</exception>
    public Multiaddr WithPeerIdMultihash(ReadOnlySpan<byte> multihash)
    {
        if (MultiaddrValue.ValidatePeerId(multihash) is { } problem)
        {
            throw new MultiaddrFormatException($"multiaddr '{Excerpt.Of(ToString())}': bad p2p peer id {Excerpt.OfBytes(multihash)}: {problem}");
        }

        var code = (ulong)MultiaddrProtocol.P2p.Code;
        var component = new byte[Varint.Size(code) + Varint.Size((ulong)multihash.Length) + multihash.Length];
        var n = Varint.Write(code, component);
        n += Varint.Write((ulong)multihash.Length, component.AsSpan(n));
        multihash.CopyTo(component.AsSpan(n));
        var head = _components.Length > 0 && _components[^1].Protocol == MultiaddrProtocol.P2p ? Prefix(_components.Length - 1) : this;
        return head.Encapsulate(FromBytes(component));
    }
}
