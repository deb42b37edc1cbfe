using System.Net;
using System.Net.Sockets;

namespace Granary.Gateway.Transfer;

/// <summary>
/// The SSRF guard for deal data transfers. A client names the URL the provider downloads from, so without a guard a
/// stranger could make the provider fetch from its own private network (cloud metadata at 169.254.169.254, an admin
/// port on 127.0.0.1, a database on 10.x). Unless <see cref="AllowPrivate"/> (<c>[Dealmaking] AllowPrivateTransferUrls</c>),
/// only http and https URLs whose host resolves to public addresses are fetched: <see cref="RefusedRanges"/> lists
/// what is refused, and IPv6 forms that embed an IPv4 address (mapped <c>::ffff:a.b.c.d</c>, compatible <c>::a.b.c.d</c>,
/// NAT64 <c>64:ff9b::/96</c>, 6to4 <c>2002::/16</c>) are judged by the IPv4 address inside.
/// <para>
/// The check is pinned to the connection: <see cref="CreateHandler"/>'s connect callback resolves the host, checks
/// every address and connects only to the checked ones, in one step, so a DNS answer that changes between a
/// pre-flight <see cref="CheckAsync"/> and the download (DNS rebinding) cannot steer the socket elsewhere. No proxy
/// is used (a proxy would connect on the guard's behalf). Redirects are not followed by the handler; the puller
/// follows at most <see cref="MaxRedirects"/>, checking each target's scheme here and its address again at connect.
/// </para>
/// </summary>
public sealed class TransferUrlPolicy : Granary.Grains.Deals.ITransferUrlGuard
{
    /// <summary>Redirects followed per request.</summary>
    public const int MaxRedirects = 3;

    /// <summary>IPv4 and IPv6 ranges a transfer may not connect to (unless private URLs are allowed).</summary>
    public static IReadOnlyList<AddressRange> RefusedRanges { get; } =
    [
        AddressRange.Parse("0.0.0.0/8", "unspecified / this network"),
        AddressRange.Parse("10.0.0.0/8", "private"),
        AddressRange.Parse("100.64.0.0/10", "carrier-grade NAT"),
        AddressRange.Parse("127.0.0.0/8", "loopback"),
        AddressRange.Parse("169.254.0.0/16", "link-local"),
        AddressRange.Parse("172.16.0.0/12", "private"),
        AddressRange.Parse("192.0.0.0/24", "IETF protocol assignments"),
        AddressRange.Parse("192.168.0.0/16", "private"),
        AddressRange.Parse("198.18.0.0/15", "benchmarking"),
        AddressRange.Parse("224.0.0.0/4", "multicast"),
        AddressRange.Parse("240.0.0.0/4", "reserved / broadcast"),
        AddressRange.Parse("::/128", "unspecified"),
        AddressRange.Parse("::1/128", "loopback"),
        AddressRange.Parse("fe80::/10", "link-local"),
        AddressRange.Parse("fec0::/10", "site-local"),
        AddressRange.Parse("fc00::/7", "unique local (private)"),
        AddressRange.Parse("ff00::/8", "multicast"),
    ];

    private static readonly AddressRange Nat64 = AddressRange.Parse("64:ff9b::/96", "NAT64");
    private static readonly AddressRange SixToFour = AddressRange.Parse("2002::/16", "6to4");
    private static readonly AddressRange V4Compatible = AddressRange.Parse("::/96", "IPv4-compatible");

    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
    private readonly HashSet<IPAddress> _allowed;

    /// <summary>Creates the guard.</summary>
    /// <param name="allowPrivate">Allow every address (a lab or a private deployment where clients are trusted).</param>
    /// <param name="resolve">DNS resolution (default: the system resolver).</param>
    /// <param name="allowedAddresses">Exact addresses allowed even inside a refused range (an operator's own data host).</param>
    public TransferUrlPolicy(bool allowPrivate, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null,
        IEnumerable<IPAddress>? allowedAddresses = null)
    {
        AllowPrivate = allowPrivate;
        _resolve = resolve ?? ((host, ct) => Dns.GetHostAddressesAsync(host, ct));
        _allowed = [.. allowedAddresses ?? []];
    }

    /// <summary>Whether every address is allowed.</summary>
    public bool AllowPrivate { get; }

    /// <summary>Why <paramref name="address"/> is refused (its range), or null if a transfer may connect to it.</summary>
    public static string? RefusalReason(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return Embedded(address.MapToIPv4(), "IPv4-mapped");
        }

        if (AddressRange.IsV6(address))
        {
            var bytes = address.GetAddressBytes();
            if (Nat64.Contains(address))
            {
                return Embedded(new IPAddress(bytes.AsSpan(12, 4)), "NAT64");
            }

            if (SixToFour.Contains(address))
            {
                return Embedded(new IPAddress(bytes.AsSpan(2, 4)), "6to4");
            }

            if (V4Compatible.Contains(address) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback))
            {
                return Embedded(new IPAddress(bytes.AsSpan(12, 4)), "IPv4-compatible");
            }
        }

        return RefusedRanges.FirstOrDefault(r => r.Contains(address)) is { } range ? $"{address} is in {range}" : null;
    }

    private static string? Embedded(IPAddress v4, string form) =>
        RefusalReason(v4) is { } inner ? $"{form} form of {inner}" : null;

    /// <summary>Why this guard refuses <paramref name="address"/>, or null.</summary>
    public string? Refuses(IPAddress address) => AllowPrivate || _allowed.Contains(address) ? null : RefusalReason(address);

    /// <summary>Refuses a URL that is not absolute http or https.</summary>
    /// <exception cref="TransferRefusedException">With the reason.</exception>
    public static void CheckScheme(Uri url)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new TransferRefusedException($"transfer URL '{Clip(url.OriginalString)}' is not an http or https URL");
        }

        if (url.UserInfo.Length > 0)
        {
            throw new TransferRefusedException("transfer URL carries user:password; send credentials in the transfer headers");
        }
    }

    internal static void CheckSchemeOrFail(Uri url)
    {
        try
        {
            CheckScheme(url);
        }
        catch (TransferRefusedException e)
        {
            throw new TransferFailedException(e.Message, retryable: false, e);
        }
    }

    /// <summary>
    /// Pre-flight check of a deal's URL (when the proposal arrives): the scheme, then the host's addresses. The
    /// download checks again at connect time, so this is for an early, clear refusal, not the guard itself.
    /// </summary>
    /// <exception cref="TransferRefusedException">With the reason.</exception>
    public async Task CheckAsync(Uri url, CancellationToken cancellationToken = default)
    {
        CheckScheme(url);
        await ResolveAsync(url.IdnHost, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<string?> RefusalAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            await CheckAsync(url, cancellationToken);
            return null;
        }
        catch (TransferRefusedException e)
        {
            return e.Message;
        }
    }

    /// <summary>The host's addresses this guard allows, in resolver order.</summary>
    /// <exception cref="TransferRefusedException">The host has no allowed address (the message lists each refused one), or
    /// it does not resolve.</exception>
    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken = default)
    {
        host = host.Trim('[', ']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await _resolve(host, cancellationToken);
            }
            catch (SocketException e)
            {
                throw new TransferRefusedException($"transfer host '{Clip(host)}' does not resolve ({e.SocketErrorCode})");
            }
        }

        var refused = addresses.Select(a => (Address: a, Reason: Refuses(a))).ToList();
        var allowed = refused.Where(r => r.Reason is null).Select(r => r.Address).ToArray();
        if (allowed.Length > 0)
        {
            return allowed;
        }

        if (addresses.Length == 0)
        {
            throw new TransferRefusedException($"transfer host '{Clip(host)}' has no addresses");
        }

        throw new TransferRefusedException($"transfer host '{Clip(host)}' refused: {string.Join("; ", refused.Select(r => r.Reason))} "
            + "(private, loopback and link-local addresses are refused unless [Dealmaking] AllowPrivateTransferUrls = true)");
    }

    /// <summary>
    /// An HTTP handler whose every connection goes only to addresses this guard allows (resolved and checked in the
    /// connect callback), without a proxy and without following redirects.
    /// </summary>
    public SocketsHttpHandler CreateHandler(TimeSpan connectTimeout) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = connectTimeout,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        ConnectCallback = ConnectAsync,
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(context.DnsEndPoint.Host, cancellationToken);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static string Clip(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");
}
