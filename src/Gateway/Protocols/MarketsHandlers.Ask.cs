using Granary.Gateway.Wire;
using Granary.Grains.Deals;
using Granary.Libp2p.Host;
using Orleans.Runtime;

namespace Granary.Gateway.Protocols;

// /fil/storage/ask/1.1.0: the ask of the miner this gateway serves, signed by its worker key (on the mining silo).
public sealed partial class MarketsHandlers
{
    private async Task HandleAskAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var peer = stream.RemotePeer.ToString();
        AskResponse response;
        try
        {
            var request = AskRequest.FromCbor(await ReadRequestAsync(stream, AskRequest.MaxMessageBytes, cancellationToken));
            if (options.Miner.Length == 0 || Text(request.Miner) != options.Miner)
            {
                // Boost answers a request for another miner with a nil ask.
                response = new AskResponse(null);
            }
            else
            {
                response = new AskResponse(SignedStorageAsk.From(await grains.GetGrain<IStorageAskGrain>(options.Miner).GetSignedAsk()));
            }
        }
        catch (MarketsWireException e)
        {
            LogBadRequest(stream.Protocol, peer, e.Error.ToString(), e.Message);
            response = new AskResponse(null);
        }
        catch (Exception e) when (e is DealmakingException or TimeoutException or OrleansException)
        {
            LogProviderError(stream.Protocol, peer, e.Message);
            response = new AskResponse(null);
        }

        await WriteResponseAsync(stream, response.ToCbor(), options.WriteTimeout, cancellationToken);
    }
}
