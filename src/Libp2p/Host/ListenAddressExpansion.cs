using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Granary.Libp2p.Multiaddrs;

namespace Granary.Libp2p.Host;

/// <summary>
/// What to announce for the addresses we listen on: a wildcard bind (<c>0.0.0.0</c>, <c>::</c>) is not dialable, so
/// it becomes one address per interface address of that family (IPv6 link-local ones are left out: they need a
/// zone, which multiaddrs here do not carry).
/// </summary>
internal static class ListenAddressExpansion
{
    public static Multiaddr[] Expand(IReadOnlyList<Multiaddr> listening)
    {
        var result = new List<Multiaddr>();
        IPAddress[]? local = null;
        foreach (var address in listening)
        {
            if (address.TryGetTcpEndpoint(out EndPoint? endPoint) && endPoint is IPEndPoint ip
                && (ip.Address.Equals(IPAddress.Any) || ip.Address.Equals(IPAddress.IPv6Any)))
            {
                local ??= InterfaceAddresses();
                result.AddRange(local.Where(a => a.AddressFamily == ip.AddressFamily).Select(a => Multiaddr.FromTcpEndpoint(new IPEndPoint(a, ip.Port))));
            }
            else
            {
                result.Add(address);
            }
        }

        return [.. result.Distinct()];
    }

    private static IPAddress[] InterfaceAddresses()
    {
        try
        {
            return
            [
                .. NetworkInterface.GetAllNetworkInterfaces()
                    .Where(i => i.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown)
                    .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                    .Select(u => u.Address)
                    .Where(a => a.AddressFamily == AddressFamily.InterNetwork
                        || (a.AddressFamily == AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal && !a.IsIPv4MappedToIPv6)),
            ];
        }
        catch (NetworkInformationException)
        {
            return [IPAddress.Loopback, IPAddress.IPv6Loopback];
        }
    }
}
