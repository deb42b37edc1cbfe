using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Granary.Silo.Configuration;

/// <summary>
/// Checks the text form of the multiaddrs a config file may hold (listen and announce addresses) and
/// splits them into components. Protocols and their arguments follow the multiaddr table.
/// </summary>
public static class MultiaddrText
{
    private const int MaxLength = 1024;

    private static readonly HashSet<string> NoArgument = ["http", "https", "tls", "ws", "wss", "quic-v1", "p2p-circuit"];

    /// <summary>One component: a protocol name and its argument, if it takes one.</summary>
    public readonly record struct Component(string Protocol, string? Value);

    /// <summary>Splits and checks a multiaddr.</summary>
    /// <exception cref="FormatException">Says which component is wrong and why.</exception>
    public static IReadOnlyList<Component> Parse(string text)
    {
        if (string.IsNullOrEmpty(text) || text[0] != '/')
        {
            throw new FormatException($"'{text}' is not a multiaddr: it must start with '/'");
        }

        if (text.Length > MaxLength)
        {
            throw new FormatException($"multiaddr is longer than {MaxLength} characters");
        }

        var tokens = text.Split('/')[1..];
        var result = new List<Component>();
        for (var i = 0; i < tokens.Length; i++)
        {
            var protocol = tokens[i];
            if (NoArgument.Contains(protocol))
            {
                result.Add(new(protocol, null));
                continue;
            }

            if (i + 1 >= tokens.Length)
            {
                throw new FormatException($"'{text}': /{protocol} needs a value");
            }

            var value = tokens[++i];
            var ok = protocol switch
            {
                "ip4" => IPAddress.TryParse(value, out var a) && a.AddressFamily == AddressFamily.InterNetwork && value.Count(c => c == '.') == 3,
                "ip6" => IPAddress.TryParse(value, out var b) && b.AddressFamily == AddressFamily.InterNetworkV6,
                "tcp" or "udp" => ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _),
                "dns" or "dns4" or "dns6" => value.Length is > 0 and <= 253 && Uri.CheckHostName(value) == UriHostNameType.Dns,
                "p2p" => value.Length is > 0 and <= 128 && value.All(char.IsAsciiLetterOrDigit),
                _ => throw new FormatException($"'{text}': unknown protocol /{protocol}"),
            };
            if (!ok)
            {
                throw new FormatException($"'{text}': '{value}' is not a valid /{protocol} value");
            }

            result.Add(new(protocol, value));
        }

        return result;
    }
}
