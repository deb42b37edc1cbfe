using Granary.Chain;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Gateway.Wire;
using Granary.Grains.Deals;
using Granary.Libp2p.Host;
using Orleans.Runtime;

namespace Granary.Gateway.Protocols;

// /fil/storage/status/1.2.0: the client proves it is the deal's client by signing the UUID; the answer comes from the deal grain.
public sealed partial class MarketsHandlers
{
    private async Task HandleStatusAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var peer = stream.RemotePeer.ToString();
        DealStatusResponse response;
        try
        {
            var request = DealStatusRequest.FromCbor(await ReadRequestAsync(stream, DealStatusRequest.MaxMessageBytes, cancellationToken));
            response = await StatusAsync(request, cancellationToken);
            LogStatus(request.DealUuid, peer, response.Error.Length == 0 ? response.DealStatus?.Status ?? "" : response.Error);
        }
        catch (MarketsWireException e)
        {
            LogBadRequest(stream.Protocol, peer, e.Error.ToString(), e.Message);
            response = DealStatusResponse.Refused(Guid.Empty, $"cannot read the status request ({e.Error.ToString().ToLowerInvariant()}): {e.Message}");
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            LogProviderError(stream.Protocol, peer, e.Message);
            response = DealStatusResponse.Refused(Guid.Empty, $"the provider could not look the deal up: {e.Message}");
        }

        await WriteResponseAsync(stream, response.ToCbor(), options.WriteTimeout, cancellationToken);
    }

    /// <summary>The status answer for a request (a refusal when the deal is unknown or the signature is not its client's).</summary>
    public async Task<DealStatusResponse> StatusAsync(DealStatusRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uuid = request.DealUuid;
        var deal = await grains.GetGrain<IDealGrain>(uuid).GetStatus();
        if (deal is null)
        {
            return DealStatusResponse.Refused(uuid, $"failed to fetch deal state: no deal {uuid}");
        }

        var signed = ClientDealProposal.FromCbor(deal.Deal.ClientDealProposal);
        if (await ClientSignatureRefusalAsync(signed.Proposal.Client, request, cancellationToken) is { } refusal)
        {
            return DealStatusResponse.Refused(uuid, refusal);
        }

        var s = deal.Summary;
        var status = new DealStatus(s.Error, s.Checkpoint.ToString(), deal.SealingStatus, signed.Proposal, Cid.Parse(deal.SignedProposalCid),
            deal.PublishCid.Length == 0 ? null : Cid.Parse(deal.PublishCid), s.ChainDealId);
        return new DealStatusResponse(uuid, "", status, deal.Deal.IsOffline, deal.Deal.Transfer.Size, deal.NBytesReceived);
    }

    // Boost's check: the client's account key (StateAccountKey for an id address) signed the UUID's 16 bytes.
    private async Task<string?> ClientSignatureRefusalAsync(Address client, DealStatusRequest request, CancellationToken cancellationToken)
    {
        if (request.Signature.Type != SignatureType.Secp256k1)
        {
            return $"invalid signature: {request.Signature.Type} signatures are not supported by this provider (secp256k1 only)";
        }

        Address key;
        try
        {
            key = client.Protocol is AddressProtocol.Secp256k1 or AddressProtocol.Bls ? client
                : await chain.StateAccountKey(client, null, cancellationToken);
        }
        catch (ChainException e)
        {
            return $"failed to look up the client's key: {e.Message}";
        }

        if (key.Protocol != AddressProtocol.Secp256k1)
        {
            return $"invalid signature: the client {Text(client)} has a {key.Protocol} key, which this provider cannot verify";
        }

        return Secp256k1.Verify(request.Signature, DealStatusRequest.SignedBytes(request.DealUuid), key) ? null
            : $"invalid signature: the request is not signed by the deal's client {Text(client)}";
    }
}
