using System.Net;

namespace Granary.Silo.Configuration;

/// <summary>A host and TCP port an HTTP listener binds to.</summary>
public sealed record HttpListenAddress(string Host, int Port)
{
    /// <summary>The URL Kestrel binds to.</summary>
    public string Url => $"http://{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port}";

    /// <summary>The multiaddr form, e.g. <c>/ip4/127.0.0.1/tcp/2345/http</c>.</summary>
    public string ToMultiaddr()
    {
        var family = IPAddress.TryParse(Host, out var ip)
            ? ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ip6" : "ip4"
            : "dns";
        return $"/{family}/{Host}/tcp/{Port}/http";
    }

    /// <summary>Parses <c>/ip4|ip6|dns|dns4|dns6/HOST/tcp/PORT/http</c>.</summary>
    /// <exception cref="FormatException">With a message saying what is wrong.</exception>
    public static HttpListenAddress FromMultiaddr(string text)
    {
        var parts = MultiaddrText.Parse(text);
        if (parts.Count != 3 || parts[1].Protocol != "tcp" || parts[2].Protocol != "http"
            || parts[0].Protocol is not ("ip4" or "ip6" or "dns" or "dns4" or "dns6"))
        {
            throw new FormatException($"'{text}' is not an HTTP listen multiaddr; expected /ip4/HOST/tcp/PORT/http");
        }

        return new HttpListenAddress(parts[0].Value!, int.Parse(parts[1].Value!, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Parses <c>host:port</c> (IPv6 as <c>[::1]:port</c>).</summary>
    /// <exception cref="FormatException">With a message saying what is wrong.</exception>
    public static HttpListenAddress FromHostPort(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new FormatException($"'{text}' is not HOST:PORT with a port from 1 to 65535");
        }

        var host = text[..colon].Trim('[', ']');
        if (host.Length == 0)
        {
            throw new FormatException($"'{text}' has no host");
        }

        return new HttpListenAddress(host, port);
    }
}
