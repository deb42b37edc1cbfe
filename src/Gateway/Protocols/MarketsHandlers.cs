using Granary.Chain;
using Granary.Gateway.Wire;
using Granary.Grains.Pieces;
using Granary.Libp2p.Host;
using Microsoft.Extensions.Logging;

namespace Granary.Gateway.Protocols;

/// <summary>
/// The markets protocols of a gateway's libp2p host, wire-compatible with Boost (reference/filecoin.md §2): deals
/// (<c>/fil/storage/mk/1.2.1</c>, <c>1.2.0</c>), deal status, the storage ask, the retrieval query and the retrieval
/// transports. One request and one response per stream, each a raw CBOR object, within Boost's deadlines; the
/// stream is closed after the response. The handlers call grains directly, so whichever gateway a client reaches
/// answers for every deal of the cluster.
/// </summary>
public sealed partial class MarketsHandlers(
    IGrainFactory grains,
    IChainNode chain,
    MarketsHandlerOptions options,
    ILogger<MarketsHandlers> logger,
    PieceBlockStore? blocks = null)
{
    /// <summary>The protocol ids served.</summary>
    public static IReadOnlyList<string> Protocols { get; } =
    [
        MarketsProtocolIds.DealV121, MarketsProtocolIds.DealV120, MarketsProtocolIds.DealStatus, MarketsProtocolIds.Ask,
        MarketsProtocolIds.Query, MarketsProtocolIds.Transports,
    ];

    /// <summary>The libp2p host the handlers are registered on (for the transports' own addresses).</summary>
    private Libp2pHost? _host;

    /// <summary>Registers every handler on <paramref name="host"/>.</summary>
    public void Register(Libp2pHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
        host.SetHandler(MarketsProtocolIds.DealV121, HandleDealAsync);
        host.SetHandler(MarketsProtocolIds.DealV120, HandleDealAsync);
        host.SetHandler(MarketsProtocolIds.DealStatus, HandleStatusAsync);
        host.SetHandler(MarketsProtocolIds.Ask, HandleAskAsync);
        host.SetHandler(MarketsProtocolIds.Query, HandleQueryAsync);
        host.SetHandler(MarketsProtocolIds.Transports, HandleTransportsAsync);
    }

    /// <summary>Stops serving the markets protocols on <paramref name="host"/> (running streams finish).</summary>
    public static void Unregister(Libp2pHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        foreach (var protocol in Protocols)
        {
            host.RemoveHandler(protocol);
        }
    }

    // Reads the request within the read deadline; a timeout is reported as a wire error like the others.
    private async Task<byte[]> ReadRequestAsync(Libp2pStream stream, int maxBytes, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.ReadTimeout);
        try
        {
            return await CborItemReader.ReadAsync(stream, maxBytes, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new MarketsWireException(MarketsWireError.Timeout, $"the request did not arrive within {options.ReadTimeout.TotalSeconds:0.#} s");
        }
    }

    // Writes the response within the write deadline and closes our side: one response per stream.
    private async Task WriteResponseAsync(Libp2pStream stream, byte[] response, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await stream.WriteAsync(response, deadline.Token);
            await stream.CloseWriteAsync();
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogWriteTimeout(stream.Protocol, stream.RemotePeer.ToString(), timeout.TotalSeconds);
            stream.Reset();
        }
    }

    private string Text(Filecoin.Addresses.Address address) => address.ToString(options.AddressNetwork);
}
