using Granary.Gateway.Wire;
using Granary.Libp2p.Host;
using Granary.Libp2p.Multiaddrs;

namespace Granary.Gateway.Protocols;

// /fil/retrieval/transports/1.0.0: the client sends nothing; the answer lists the HTTP retrieval endpoint and this host.
public sealed partial class MarketsHandlers
{
    private async Task HandleTransportsAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        await WriteResponseAsync(stream, Transports().ToCbor(), options.TransportsTimeout, cancellationToken);
    }

    /// <summary>The transports answer: <c>http</c>/<c>https</c> for the retrieval endpoint, <c>libp2p</c> for this host's addresses with <c>/p2p</c>.</summary>
    public TransportsResponse Transports()
    {
        var protocols = new List<TransportProtocol>();
        foreach (var group in options.HttpRetrievalAddresses.GroupBy(a => a.Components.Any(c => c.Protocol.Name == "https") ? "https" : "http"))
        {
            protocols.Add(new TransportProtocol(group.Key, [.. group.Select(a => a.ToBytes())]));
        }

        if (_host is { } host)
        {
            var self = Multiaddr.Parse($"/p2p/{host.PeerId}");
            protocols.Add(new TransportProtocol("libp2p", [.. host.AdvertisedAddresses.Select(a => a.Encapsulate(self).ToBytes())]));
        }

        return new TransportsResponse(protocols);
    }
}
