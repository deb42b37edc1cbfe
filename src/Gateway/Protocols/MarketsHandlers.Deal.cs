using Granary.Gateway.Wire;
using Granary.Grains;
using Granary.Grains.Deals;
using Granary.Libp2p.Host;
using Orleans.Runtime;

namespace Granary.Gateway.Protocols;

// /fil/storage/mk/1.2.1 and 1.2.0: one DealParams in, one DealResponse out.
public sealed partial class MarketsHandlers
{
    private async Task HandleDealAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var peer = stream.RemotePeer.ToString();
        DealResponse response;
        try
        {
            var request = DealParams.FromCbor(await ReadRequestAsync(stream, DealParams.MaxMessageBytes, cancellationToken));
            var grain = grains.GetGrain<IDealGrain>(request.DealUuid);
            DealDecision decision;
            using (NewStateHint.For(grain.GetGrainId()))
            {
                // A proposal's UUID is new but for a client's retry or reuse, which the deal grain detects at its first write.
                decision = await grain.Propose(ToProposedDeal(request, stream));
            }

            response = new DealResponse(decision.Accepted, decision.Message);
            LogDeal(request.DealUuid, peer, stream.Protocol, decision.Accepted, decision.Message);
        }
        catch (MarketsWireException e)
        {
            // Boost just drops a stream it cannot decode; answering says why, which a Boost client reports.
            LogBadRequest(stream.Protocol, peer, e.Error.ToString(), e.Message);
            response = new DealResponse(false, $"cannot read the deal proposal ({e.Error.ToString().ToLowerInvariant()}): {e.Message}");
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or DealmakingException)
        {
            LogProviderError(stream.Protocol, peer, e.Message);
            response = new DealResponse(false, $"the provider could not process the deal: {e.Message}");
        }

        Grains.Metrics.GranaryMetrics.ProposalDecided(response.Accepted, response.Message);
        await WriteResponseAsync(stream, response.ToCbor(), options.WriteTimeout, cancellationToken);
    }

    private ProposedDeal ToProposedDeal(DealParams request, Libp2pStream stream) => new(
        request.DealUuid,
        request.IsOffline,
        request.ClientDealProposal.ToCbor(),
        request.DealDataRoot.ToString(),
        new DealTransferSpec(request.Transfer.Type, request.Transfer.ClientId, request.Transfer.Params, request.Transfer.Size),
        request.RemoveUnsealedCopy,
        request.SkipIpniAnnounce,
        options.Miner,
        options.Gateway,
        stream.RemotePeer.ToString(),
        stream.Protocol);
}
