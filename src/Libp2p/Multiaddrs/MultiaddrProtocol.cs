using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Granary.Libp2p.Multiaddrs;

/// <summary>
/// A multiaddr protocol this host understands: its multicodec code, canonical name and value kind
/// (multiformats/multiaddr <c>protocols.csv</c>). Instances are singletons, so reference equality works.
/// </summary>
public sealed class MultiaddrProtocol
{
    private MultiaddrProtocol(int code, string name, MultiaddrValueKind valueKind)
    {
        Code = code;
        Name = name;
        ValueKind = valueKind;
    }

    /// <summary>The multicodec code written (as a uvarint) before the value in the binary form.</summary>
    public int Code { get; }

    /// <summary>The canonical text name (<c>p2p</c>, never the alias <c>ipfs</c>).</summary>
    public string Name { get; }

    /// <summary>How the value is encoded.</summary>
    public MultiaddrValueKind ValueKind { get; }

    /// <summary>Whether the protocol carries a value (<c>/tcp/4001</c>) or not (<c>/tls</c>).</summary>
    public bool HasValue => ValueKind != MultiaddrValueKind.None;

    /// <summary>ip4 (4).</summary>
    public static MultiaddrProtocol Ip4 { get; } = new(0x04, "ip4", MultiaddrValueKind.Ip4);

    /// <summary>tcp (6).</summary>
    public static MultiaddrProtocol Tcp { get; } = new(0x06, "tcp", MultiaddrValueKind.Port);

    /// <summary>ip6 (41).</summary>
    public static MultiaddrProtocol Ip6 { get; } = new(0x29, "ip6", MultiaddrValueKind.Ip6);

    /// <summary>dns (53): resolvable to IPv4 and IPv6.</summary>
    public static MultiaddrProtocol Dns { get; } = new(0x35, "dns", MultiaddrValueKind.DomainName);

    /// <summary>dns4 (54): resolvable to IPv4 only.</summary>
    public static MultiaddrProtocol Dns4 { get; } = new(0x36, "dns4", MultiaddrValueKind.DomainName);

    /// <summary>dns6 (55): resolvable to IPv6 only.</summary>
    public static MultiaddrProtocol Dns6 { get; } = new(0x37, "dns6", MultiaddrValueKind.DomainName);

    /// <summary>dnsaddr (56): a TXT-record indirection to further multiaddrs.</summary>
    public static MultiaddrProtocol DnsAddr { get; } = new(0x38, "dnsaddr", MultiaddrValueKind.DomainName);

    /// <summary>udp (273).</summary>
    public static MultiaddrProtocol Udp { get; } = new(0x0111, "udp", MultiaddrValueKind.Port);

    /// <summary>p2p-circuit (290).</summary>
    public static MultiaddrProtocol P2pCircuit { get; } = new(0x0122, "p2p-circuit", MultiaddrValueKind.None);

    /// <summary>p2p (421), text alias <c>ipfs</c>: the peer id as a multihash.</summary>
    public static MultiaddrProtocol P2p { get; } = new(0x01a5, "p2p", MultiaddrValueKind.PeerIdMultihash);

    /// <summary>https (443), a deprecated alias for /tls/http.</summary>
    public static MultiaddrProtocol Https { get; } = new(0x01bb, "https", MultiaddrValueKind.None);

    /// <summary>tls (448).</summary>
    public static MultiaddrProtocol Tls { get; } = new(0x01c0, "tls", MultiaddrValueKind.None);

    /// <summary>noise (454).</summary>
    public static MultiaddrProtocol Noise { get; } = new(0x01c6, "noise", MultiaddrValueKind.None);

    /// <summary>quic-v1 (461).</summary>
    public static MultiaddrProtocol QuicV1 { get; } = new(0x01cd, "quic-v1", MultiaddrValueKind.None);

    /// <summary>webtransport (465).</summary>
    public static MultiaddrProtocol WebTransport { get; } = new(0x01d1, "webtransport", MultiaddrValueKind.None);

    /// <summary>ws (477).</summary>
    public static MultiaddrProtocol Ws { get; } = new(0x01dd, "ws", MultiaddrValueKind.None);

    /// <summary>wss (478), a deprecated alias for /tls/ws.</summary>
    public static MultiaddrProtocol Wss { get; } = new(0x01de, "wss", MultiaddrValueKind.None);

    /// <summary>http (480).</summary>
    public static MultiaddrProtocol Http { get; } = new(0x01e0, "http", MultiaddrValueKind.None);

    /// <summary>Every protocol this host understands.</summary>
    public static IReadOnlyList<MultiaddrProtocol> All { get; } =
        [Ip4, Tcp, Ip6, Dns, Dns4, Dns6, DnsAddr, Udp, P2pCircuit, P2p, Https, Tls, Noise, QuicV1, WebTransport, Ws, Wss, Http];

    private static readonly FrozenDictionary<int, MultiaddrProtocol> ByCode = All.ToFrozenDictionary(p => p.Code);

    private static readonly FrozenDictionary<string, MultiaddrProtocol>.AlternateLookup<ReadOnlySpan<char>> ByName =
        All.Select(p => KeyValuePair.Create(p.Name, p))
            .Append(KeyValuePair.Create("ipfs", P2p))
            .ToFrozenDictionary(StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Finds a protocol by its text name (case-sensitive; <c>ipfs</c> is accepted for <c>p2p</c>).</summary>
    public static bool TryGet(ReadOnlySpan<char> name, [NotNullWhen(true)] out MultiaddrProtocol? protocol) =>
        ByName.TryGetValue(name, out protocol);

    /// <summary>Finds a protocol by its multicodec code.</summary>
    public static bool TryGet(int code, [NotNullWhen(true)] out MultiaddrProtocol? protocol) =>
        ByCode.TryGetValue(code, out protocol);

    /// <inheritdoc />
    public override string ToString() => Name;
}
