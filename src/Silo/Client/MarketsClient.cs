using Granary.Chain;
using Granary.Filecoin.Addresses;
using Granary.Gateway.Wire;
using Granary.Libp2p;
using Granary.Libp2p.Host;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Multistream;
using Granary.Libp2p.Peers;
using Granary.Silo.Cli;
using Granary.Silo.Configuration;

namespace Granary.Silo.Client;

/// <summary>
/// The client side of the markets protocols a Boost-compatible provider serves (reference/filecoin.md §2): one request
/// and one response per stream, each a raw CBOR object, over a libp2p host with a fresh identity (as Boost's client
/// uses). The provider is found on chain: <c>StateMinerInfo</c>'s peer id and multiaddrs.
/// </summary>
public sealed class MarketsClient : IAsyncDisposable
{
    /// <summary>Longest wait for one response.</summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(60);

    private readonly Libp2pHost _host;
    private readonly IReadOnlyList<Multiaddr> _addresses;

    private MarketsClient(Libp2pHost host, Address miner, PeerId peer, IReadOnlyList<Multiaddr> addresses)
    {
        _host = host;
        Miner = miner;
        Peer = peer;
        _addresses = addresses;
    }

    /// <summary>The miner.</summary>
    public Address Miner { get; }

    /// <summary>Its markets node's peer id.</summary>
    public PeerId Peer { get; }

    /// <summary>The addresses dialled, each ending in <c>/p2p/PEER</c>.</summary>
    public IReadOnlyList<Multiaddr> Addresses => _addresses;

    /// <summary>Looks the miner up on chain.</summary>
    /// <exception cref="CliError">Unknown miner, or it has no peer id or dialable address on chain.</exception>
    public static async Task<MarketsClient> ConnectAsync(IChainNode chain, Address miner, CancellationToken cancellationToken)
    {
        Granary.Chain.Model.MinerInfo info;
        try
        {
            info = await chain.StateMinerInfo(miner, null, cancellationToken);
        }
        catch (ChainException e)
        {
            throw new CliError($"cannot look up miner {Text(miner)} on chain: {e.Message}");
        }

        if (info.PeerId is not { Length: > 0 } peerBytes)
        {
            throw new CliError($"miner {Text(miner)} has no peer id on chain (its operator sets one with `granary actor set-peer-id`)");
        }

        PeerId peer;
        try
        {
            peer = PeerId.FromMultihash(peerBytes);
        }
        catch (Exception e) when (e is FormatException or Filecoin.FilecoinFormatException or ArgumentException or Libp2pProtocolException)
        {
            throw new CliError($"miner {Text(miner)}'s peer id on chain is not a libp2p peer id: {e.Message}");
        }

        var addresses = new List<Multiaddr>();
        foreach (var bytes in info.Multiaddrs)
        {
            if (Multiaddr.TryFromBytes(bytes, out var address) && TcpAddress(address))
            {
                addresses.Add(address.Decapsulate("p2p").Encapsulate($"/p2p/{peer}"));
            }
        }

        if (addresses.Count == 0)
        {
            throw new CliError($"miner {Text(miner)} has no TCP multiaddr on chain to dial (its operator sets them with `granary actor set-addrs /ip4/HOST/tcp/PORT`)");
        }

        return new MarketsClient(new Libp2pHost(Identity.Generate()), miner, peer, addresses);
    }

    /// <summary>Proposes a deal on <c>/fil/storage/mk/1.2.1</c> (else 1.2.0).</summary>
    public async Task<DealResponse> ProposeAsync(DealParams deal, CancellationToken cancellationToken) =>
        DealResponse.FromCbor(await ExchangeAsync([MarketsProtocolIds.DealV121, MarketsProtocolIds.DealV120], deal.ToCbor(), DealResponse.MaxMessageBytes,
            cancellationToken));

    /// <summary>Asks a deal's status on <c>/fil/storage/status/1.2.0</c>.</summary>
    public async Task<DealStatusResponse> StatusAsync(DealStatusRequest request, CancellationToken cancellationToken) =>
        DealStatusResponse.FromCbor(await ExchangeAsync([MarketsProtocolIds.DealStatus], request.ToCbor(), DealStatusResponse.MaxMessageBytes, cancellationToken));

    /// <summary>Queries a payload (or piece) on <c>/fil/retrieval/qry/1.0.0</c>.</summary>
    public async Task<QueryResponse> QueryAsync(RetrievalQuery query, CancellationToken cancellationToken) =>
        QueryResponse.FromCbor(await ExchangeAsync([MarketsProtocolIds.Query], query.ToCbor(), QueryResponse.MaxMessageBytes, cancellationToken));

    /// <summary>Asks the retrieval transports on <c>/fil/retrieval/transports/1.0.0</c> (no request body).</summary>
    public async Task<TransportsResponse> TransportsAsync(CancellationToken cancellationToken) =>
        TransportsResponse.FromCbor(await ExchangeAsync([MarketsProtocolIds.Transports], null, TransportsResponse.MaxMessageBytes, cancellationToken));

    /// <summary>
    /// The HTTP(S) base URL of the provider's retrieval endpoint: the first <c>http</c>/<c>https</c> transport address
    /// that is <c>/ip4|ip6|dns*/HOST/tcp/PORT/http[s]</c>.
    /// </summary>
    /// <exception cref="CliError">None is listed.</exception>
    public async Task<Uri> HttpRetrievalUrlAsync(CancellationToken cancellationToken)
    {
        var transports = await TransportsAsync(cancellationToken);
        var listed = new List<string>();
        foreach (var protocol in transports.Protocols.Where(p => p.Name is "http" or "https"))
        {
            foreach (var bytes in protocol.Addresses)
            {
                if (!Multiaddr.TryFromBytes(bytes, out var address))
                {
                    continue;
                }

                listed.Add(address.ToString());
                if (HttpUrl(address) is { } url)
                {
                    return url;
                }
            }
        }

        throw new CliError(listed.Count == 0
            ? $"miner {Text(Miner)} lists no http retrieval transport (protocols: {string.Join(", ", transports.Protocols.Select(p => p.Name))})"
            : $"miner {Text(Miner)}'s http retrieval addresses are not host/tcp/port/http multiaddrs: {string.Join(", ", listed)}");
    }

    /// <summary>The URL of a retrieval multiaddr (<c>/ip4/1.2.3.4/tcp/80/http</c> → <c>http://1.2.3.4:80</c>); null for another shape.</summary>
    public static Uri? HttpUrl(Multiaddr address)
    {
        var text = address.ToString();
        var scheme = text.EndsWith("/https", StringComparison.Ordinal) || text.EndsWith("/tls/http", StringComparison.Ordinal) ? "https"
            : text.EndsWith("/http", StringComparison.Ordinal) ? "http" : null;
        if (scheme is null)
        {
            return null;
        }

        try
        {
            var listen = HttpListenAddress.FromMultiaddr(text.EndsWith("/tls/http", StringComparison.Ordinal) ? text[..^"/tls/http".Length] + "/http"
                : text.EndsWith("/https", StringComparison.Ordinal) ? text[..^"/https".Length] + "/http" : text);
            var host = listen.Host.Contains(':', StringComparison.Ordinal) ? $"[{listen.Host}]" : listen.Host;
            return new Uri($"{scheme}://{host}:{listen.Port}");
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _host.DisposeAsync();

    // One request/response stream to the first address that answers.
    private async Task<byte[]> ExchangeAsync(IReadOnlyList<string> protocols, byte[]? request, int maxResponse, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ResponseTimeout);
        var failures = new List<string>();
        foreach (var address in _addresses)
        {
            Libp2pStream stream;
            try
            {
                stream = await _host.NewStreamAsync(address, protocols, deadline.Token);
            }
            catch (ProtocolNotSupportedException)
            {
                throw new CliError($"miner {Text(Miner)} at {address} does not serve {string.Join(" or ", protocols)}");
            }
            catch (Exception e) when (e is Libp2pDialException or TimeoutException or IOException or Libp2pProtocolException
                or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{address}: {e.Message}");
                continue;
            }

            await using (stream)
            {
                try
                {
                    if (request is not null)
                    {
                        await stream.WriteAsync(request, deadline.Token);
                    }

                    await stream.CloseWriteAsync();
                    return await CborItemReader.ReadAsync(stream, maxResponse, deadline.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new MarketsUnreachableException($"miner {Text(Miner)} did not answer on {stream.Protocol} within {ResponseTimeout.TotalSeconds:0} s");
                }
                catch (Exception e) when (e is IOException or Libp2pProtocolException)
                {
                    throw new MarketsUnreachableException($"miner {Text(Miner)}'s stream on {stream.Protocol} broke: {e.Message}");
                }
            }
        }

        throw new MarketsUnreachableException($"cannot reach miner {Text(Miner)}'s markets node {Peer}: {string.Join("; ", failures)}");
    }

    private static bool TcpAddress(Multiaddr address)
    {
        var names = address.Components.Select(c => c.Protocol.Name).ToArray();
        return names.Length >= 2 && names[0] is "ip4" or "ip6" or "dns" or "dns4" or "dns6" && names[1] == "tcp";
    }

    private static string Text(Address address) => address.ToString('t');
}

/// <summary>The provider could not be reached, or its stream broke (a retry may work).</summary>
public sealed class MarketsUnreachableException(string message) : Exception(message);
