namespace Granary.Libp2p.Multiaddrs;

/// <summary>How a multiaddr protocol's value is written in binary and text.</summary>
public enum MultiaddrValueKind
{
    /// <summary>No value (<c>/tls</c>, <c>/ws</c>, <c>/quic-v1</c>…).</summary>
    None,

    /// <summary>4 bytes; dotted decimal text.</summary>
    Ip4,

    /// <summary>16 bytes; RFC 5952-style compressed lower-case hex text (as the WHATWG URL serializer prints it).</summary>
    Ip6,

    /// <summary>2 bytes big-endian; decimal text 0..65535.</summary>
    Port,

    /// <summary>uvarint length ‖ UTF-8 name (1..255 bytes).</summary>
    DomainName,

    /// <summary>uvarint length ‖ multihash; base58btc text (CIDv1 with codec libp2p-key accepted when parsing).</summary>
    PeerIdMultihash,
}
