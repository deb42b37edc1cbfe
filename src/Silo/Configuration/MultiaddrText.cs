using Granary.Libp2p.Multiaddrs;

namespace Granary.Silo.Configuration;

/// <summary>
/// Checks the text form of the multiaddrs a config file may hold (listen, announce and API addresses) with
/// the libp2p host's own multiaddr parser, so config validation refuses exactly what the host would.
/// </summary>
public static class MultiaddrText
{
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

        try
        {
            return [.. Multiaddr.Parse(text).Components.Select(c => new Component(c.Protocol.Name, c.Value))];
        }
        catch (MultiaddrFormatException e)
        {
            throw new FormatException(e.Message, e);
        }
    }
}
