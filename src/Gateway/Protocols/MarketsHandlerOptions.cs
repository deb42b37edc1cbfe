using Granary.Libp2p.Multiaddrs;

namespace Granary.Gateway.Protocols;

/// <summary>What the markets protocol handlers of one gateway need to know.</summary>
/// <param name="Miner">The miner this gateway takes deals for (<c>t01000</c>); empty: none.</param>
/// <param name="Gateway">This silo's name (recorded with each deal it receives).</param>
/// <param name="HttpRetrievalAddresses">Where the HTTP retrieval endpoint is reached, as multiaddrs (e.g.
/// <c>/dns/sp.example/tcp/443/https</c>), listed by the transports protocol; empty: none listed.</param>
public sealed record MarketsHandlerOptions(string Miner, string Gateway, IReadOnlyList<Multiaddr> HttpRetrievalAddresses)
{
    /// <summary>Boost's provider read deadline for a request.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Boost's provider write deadline for a response.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Boost's transports protocol deadline.</summary>
    public TimeSpan TransportsTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The network prefix addresses are written with.</summary>
    public char AddressNetwork { get; init; } = 't';
}
