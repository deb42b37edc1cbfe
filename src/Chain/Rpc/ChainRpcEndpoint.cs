using System.Globalization;

namespace Granary.Chain.Rpc;

/// <summary>
/// Where a chain node's JSON-RPC API is and the token to call it with, from Lotus's <c>FULLNODE_API_INFO</c> form
/// <c>TOKEN:MULTIADDR</c> (<c>/ip4/127.0.0.1/tcp/1234/http</c>, <c>/ip6/::1/tcp/1234</c>,
/// <c>/dns/node.example/tcp/443/wss</c>) or <c>TOKEN:URL</c>, or a bare multiaddr or URL (no token).
/// </summary>
/// <remarks>
/// As Lotus's <c>cliutil.APIInfo</c>: the token is everything before the first <c>:</c> unless the text starts
/// with <c>/</c> or the <c>:</c> begins <c>://</c>; a multiaddr's host and TCP port are dialled with TLS when it has
/// <c>/wss</c>, <c>/tls</c> or <c>/https</c>; the path is <c>/rpc/VERSION</c>. A URL keeps a path that already
/// names <c>/rpc/…</c> and gets <c>/rpc/VERSION</c> otherwise. Calls go over HTTP POST to <see cref="HttpUrl"/>,
/// subscriptions over a websocket to <see cref="WebSocketUrl"/>.
/// </remarks>
/// <param name="HttpUrl">The HTTP(S) URL calls are POSTed to, e.g. <c>http://127.0.0.1:1234/rpc/v1</c>.</param>
/// <param name="Token">The bearer token (a Lotus JWT), or null.</param>
public sealed record ChainRpcEndpoint(Uri HttpUrl, string? Token)
{
    /// <summary>Longest token accepted.</summary>
    public const int MaxTokenLength = 8192;

    /// <summary>The websocket URL (<c>ws://</c> or <c>wss://</c>) of the same API.</summary>
    public Uri WebSocketUrl => new UriBuilder(HttpUrl) { Scheme = HttpUrl.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;

    /// <summary>The API version from the path (<c>v0</c> or <c>v1</c>; <c>v1</c> when the path names none).</summary>
    public string ApiVersion => HttpUrl.AbsolutePath.TrimEnd('/').EndsWith("/v0", StringComparison.Ordinal) ? "v0" : "v1";

    /// <summary>Parses <c>TOKEN:MULTIADDR</c>, <c>TOKEN:URL</c>, a multiaddr or a URL.</summary>
    /// <param name="apiInfo">The text (e.g. the value of <c>FULLNODE_API_INFO</c>).</param>
    /// <param name="apiVersion">The path's version when the text gives none: <c>v1</c> (Lotus's full node API) or <c>v0</c>.</param>
    /// <exception cref="FormatException">Not a multiaddr or URL this client can dial, or a token with spaces or control characters.</exception>
    public static ChainRpcEndpoint Parse(string apiInfo, string apiVersion = "v1")
    {
        ArgumentNullException.ThrowIfNull(apiInfo);
        if (apiVersion is not ("v0" or "v1"))
        {
            throw new ArgumentOutOfRangeException(nameof(apiVersion), apiVersion, "the API version is v0 or v1");
        }

        var text = apiInfo.Trim();
        string? token = null;
        if (!text.StartsWith('/'))
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !text.AsSpan(colon + 1).StartsWith("//"))
            {
                token = text[..colon];
                text = text[(colon + 1)..];
            }
        }

        if (token is not null && (token.Length > MaxTokenLength || token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            throw new FormatException("the API token must be at most 8192 characters without spaces or control characters");
        }

        var url = text.StartsWith('/') ? FromMultiaddr(text, apiVersion) : FromUrl(text, apiVersion);
        return new ChainRpcEndpoint(url, string.IsNullOrEmpty(token) ? null : token);
    }

    /// <summary>The URL, without the token.</summary>
    public override string ToString() => HttpUrl.ToString();

    private static Uri FromMultiaddr(string text, string version)
    {
        var parts = text.Split('/');
        if (parts.Length < 5 || parts[0].Length != 0)
        {
            throw new FormatException($"'{text}' is not a multiaddr of the form /ip4|ip6|dns/HOST/tcp/PORT[/http|/ws|/wss|/https]");
        }

        var host = parts[1] switch
        {
            "ip4" when System.Net.IPAddress.TryParse(parts[2], out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork => parts[2],
            "ip6" when System.Net.IPAddress.TryParse(parts[2], out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 => $"[{parts[2]}]",
            "dns" or "dns4" or "dns6" when Uri.CheckHostName(parts[2]) == UriHostNameType.Dns => parts[2],
            _ => throw new FormatException($"'{text}': expected /ip4/ADDRESS, /ip6/ADDRESS or /dns/NAME first"),
        };
        if (parts[3] != "tcp" || !ushort.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port == 0)
        {
            throw new FormatException($"'{text}': expected /tcp/PORT after the host");
        }

        var secure = false;
        foreach (var protocol in parts.Skip(5).Where(p => p.Length > 0))
        {
            secure |= protocol switch
            {
                "http" or "ws" => false,
                "https" or "wss" or "tls" => true,
                _ => throw new FormatException($"'{text}': unsupported protocol /{protocol} (expected /http, /https, /ws, /wss or /tls)"),
            };
        }

        return new Uri($"{(secure ? "https" : "http")}://{host}:{port.ToString(CultureInfo.InvariantCulture)}/rpc/{version}");
    }

    private static Uri FromUrl(string text, string version)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https" or "ws" or "wss"))
        {
            throw new FormatException($"'{text}' is not an http(s) or ws(s) URL or a multiaddr");
        }

        var builder = new UriBuilder(url) { Scheme = url.Scheme is "https" or "wss" ? "https" : "http", Port = url.IsDefaultPort ? -1 : url.Port };
        if (!url.AbsolutePath.Contains("/rpc/", StringComparison.Ordinal))
        {
            builder.Path = url.AbsolutePath.TrimEnd('/') + "/rpc/" + version;
        }

        return builder.Uri;
    }
}
