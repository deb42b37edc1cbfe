using System.Net;
using System.Net.Sockets;

namespace Granary.Gateway.Transfer;

/// <summary>A CIDR block with a name, for the SSRF guard's table of refused ranges.</summary>
/// <param name="Network">The network address.</param>
/// <param name="PrefixLength">The prefix length.</param>
/// <param name="Name">What the range is, for refusal messages.</param>
public sealed record AddressRange(IPAddress Network, int PrefixLength, string Name)
{
    /// <summary>Parses <c>a.b.c.d/n</c> or <c>x::/n</c>.</summary>
    public static AddressRange Parse(string cidr, string name)
    {
        var slash = cidr.IndexOf('/');
        return new AddressRange(IPAddress.Parse(cidr[..slash]), int.Parse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture), name);
    }

    /// <summary>Whether <paramref name="address"/> (of the same family) is in the range.</summary>
    public bool Contains(IPAddress address)
    {
        if (address.AddressFamily != Network.AddressFamily)
        {
            return false;
        }

        Span<byte> a = stackalloc byte[16];
        Span<byte> n = stackalloc byte[16];
        address.TryWriteBytes(a, out var length);
        Network.TryWriteBytes(n, out _);
        var bits = PrefixLength;
        for (var i = 0; i < length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
            if ((a[i] & mask) != (n[i] & mask))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Network}/{PrefixLength} ({Name})";

    internal static bool IsV6(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6;
}
