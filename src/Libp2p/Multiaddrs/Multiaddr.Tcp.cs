using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Granary.Libp2p.Multiaddrs;

public sealed partial class Multiaddr
{
    /// <summary>
    /// The host and port to dial when this is a plain TCP address: <c>/{ip4|ip6|dns|dns4|dns6}/host/tcp/port</c>,
    /// optionally followed by one <c>/p2p/…</c> (anything else — <c>/ws</c>, <c>/tls</c>, <c>/p2p-circuit</c> — is not
    /// plain TCP). <paramref name="family"/> is InterNetwork for ip4/dns4, InterNetworkV6 for ip6/dns6 and
    /// Unspecified for dns; use the <see cref="EndPoint"/> overload to tell an IP literal from a name to resolve.
    /// </summary>
    public bool TryGetTcpEndpoint(out string host, out int port, out AddressFamily family)
    {
        host = string.Empty;
        port = 0;
        family = AddressFamily.Unspecified;
        if (!TryGetTcpParts(out var hostComponent, out port))
        {
            return false;
        }

        host = hostComponent.Value!;
        family = FamilyOf(hostComponent.Protocol);
        return true;
    }

    /// <summary>
    /// <see cref="TryGetTcpEndpoint(out string, out int, out AddressFamily)"/> as a socket end point: an
    /// <see cref="IPEndPoint"/> for ip4/ip6, a <see cref="DnsEndPoint"/> (with the address family to resolve) for dns*.
    /// </summary>
    public bool TryGetTcpEndpoint([NotNullWhen(true)] out EndPoint? endPoint)
    {
        endPoint = null;
        if (!TryGetTcpParts(out var hostComponent, out var port))
        {
            return false;
        }

        var protocol = hostComponent.Protocol;
        endPoint = protocol == MultiaddrProtocol.Ip4 || protocol == MultiaddrProtocol.Ip6
            ? new IPEndPoint(new IPAddress(hostComponent.RawValue.Span), port)
            : new DnsEndPoint(hostComponent.Value!, port, FamilyOf(protocol));
        return true;
    }

    /// <summary>
    /// <c>/ip4/a.b.c.d/tcp/port</c> or <c>/ip6/…/tcp/port</c> for a socket end point. IPv4-mapped IPv6 addresses
    /// (from dual-mode sockets) become ip4; an IPv6 scope id is dropped (ip6zone is not supported).
    /// </summary>
    public static Multiaddr FromTcpEndpoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        var protocol = address.AddressFamily == AddressFamily.InterNetwork ? MultiaddrProtocol.Ip4 : MultiaddrProtocol.Ip6;
        Span<byte> bytes = stackalloc byte[1 + 16 + 1 + 2];
        bytes[0] = (byte)protocol.Code;
        address.TryWriteBytes(bytes[1..], out var written);
        bytes[1 + written] = (byte)MultiaddrProtocol.Tcp.Code;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[(2 + written)..], (ushort)endPoint.Port);
        return FromBytes(bytes[..(4 + written)]);
    }

    private bool TryGetTcpParts([NotNullWhen(true)] out MultiaddrComponent? host, out int port)
    {
        host = null;
        port = 0;
        if (_components.Length is not (2 or 3)
            || _components[1].Protocol != MultiaddrProtocol.Tcp
            || (_components.Length == 3 && _components[2].Protocol != MultiaddrProtocol.P2p))
        {
            return false;
        }

        var first = _components[0].Protocol;
        if (first != MultiaddrProtocol.Ip4 && first != MultiaddrProtocol.Ip6 && first != MultiaddrProtocol.Dns
            && first != MultiaddrProtocol.Dns4 && first != MultiaddrProtocol.Dns6)
        {
            return false;
        }

        host = _components[0];
        port = BinaryPrimitives.ReadUInt16BigEndian(_components[1].RawValue.Span);
        return true;
    }

    private static AddressFamily FamilyOf(MultiaddrProtocol protocol) =>
        protocol == MultiaddrProtocol.Ip4 || protocol == MultiaddrProtocol.Dns4 ? AddressFamily.InterNetwork
        : protocol == MultiaddrProtocol.Ip6 || protocol == MultiaddrProtocol.Dns6 ? AddressFamily.InterNetworkV6
        : AddressFamily.Unspecified;
}
