using System.Numerics;
using Granary.Chain;
using Granary.Chain.Model;
using Granary.Filecoin;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Grains.Deals;

// The acceptance checks, in the order Boost runs them (storagemarket/deal_acceptance.go), with its wording where it has one.
public sealed partial class DealGrain
{
    // The head the last proposal was checked at (passed to the directory's admission for the measured seal duration).
    private long _checkedHead;

    /// <summary>Runs every check; the first refusal's reason, or null when the deal may be admitted.</summary>
    private async Task<string?> CheckAsync(ProposedDeal deal, ClientDealProposal signed)
    {
        var p = signed.Proposal;
        if (!TryParse(deal.Provider, out var served))
        {
            return $"this provider is not configured with a miner address ('{deal.Provider}'), so it takes no deals";
        }

        if (p.Provider != served)
        {
            return $"incorrect provider for deal: the proposal's provider is {Text(p.Provider)}, this provider is {Text(served)}";
        }

        TipSet head;
        try
        {
            head = await chain.ChainHead();
        }
        catch (ChainException e)
        {
            return $"node error getting most recent state id: {e.Message}";
        }

        _checkedHead = head.Height;
        if (await CheckSignatureAsync(signed, head.Key) is { } signatureError)
        {
            return signatureError;
        }

        StorageAsk ask;
        try
        {
            ask = await GrainFactory.GetGrain<IStorageAskGrain>(Text(served)).GetAsk();
        }
        catch (Exception e) when (e is DealmakingException or Placement.SubsystemUnavailableException or TimeoutException)
        {
            return $"the storage ask cannot be read: {e.Message}";
        }

        if (p.PieceSize < ask.MinPieceSize)
        {
            return $"piece size less than minimum required size: {p.PieceSize} < {ask.MinPieceSize}";
        }

        if (p.PieceSize > ask.MaxPieceSize)
        {
            return $"piece size more than maximum allowed size: {p.PieceSize} > {ask.MaxPieceSize}";
        }

        ulong sectorSize;
        try
        {
            sectorSize = (await chain.StateMinerInfo(served, head.Key)).SectorSize;
        }
        catch (ChainException e)
        {
            return $"node error getting the miner's info: {e.Message}";
        }

        if ((ulong)p.PieceSize > sectorSize)
        {
            return $"piece size more than the sector size: {p.PieceSize} > {sectorSize}";
        }

        if (p.StoragePricePerEpoch.AttoFil.Sign < 0 || p.ProviderCollateral.AttoFil.Sign < 0 || p.ClientCollateral.AttoFil.Sign < 0)
        {
            return "the proposal's price and collaterals cannot be negative";
        }

        var minPrice = ask.MinPricePerEpoch(p.PieceSize, p.VerifiedDeal);
        if (p.StoragePricePerEpoch.AttoFil < minPrice)
        {
            return $"storage price per epoch less than asking price: {p.StoragePricePerEpoch.AttoFil} < {minPrice}";
        }

        if (p.VerifiedDeal)
        {
            return "verified deals are not supported: this provider cannot check DataCap";
        }

        if (StartEpochRefusal(p, head.Height) is { } startError)
        {
            return startError;
        }

        if (p.EndEpoch <= p.StartEpoch)
        {
            return "proposal end before proposal start";
        }

        if (p.Duration < _options.MinDealDuration || p.Duration > _options.MaxDealDuration)
        {
            return $"deal duration out of bounds (min, max, provided): {_options.MinDealDuration}, {_options.MaxDealDuration}, {p.Duration}";
        }

        if (p.EndEpoch > head.Height + DealmakingOptions.MaxEndEpochAhead)
        {
            return $"invalid deal end epoch {p.EndEpoch}: cannot be more than {DealmakingOptions.MaxEndEpochAhead} past current epoch {head.Height}";
        }

        if (await CheckEscrowAsync(p, head.Key) is { } escrowError)
        {
            return escrowError;
        }

        var labelBytes = p.Label.Bytes?.Length ?? System.Text.Encoding.UTF8.GetByteCount(p.Label.Text ?? "");
        if (labelBytes > DealLabel.MaxBytes)
        {
            return $"deal label can be at most {DealLabel.MaxBytes} bytes, is {labelBytes}";
        }

        return CheckTransfer(deal, p) ?? await CheckTransferUrlAsync(deal);
    }

    private string? StartEpochRefusal(DealProposal p, long head)
    {
        if (head > p.StartEpoch)
        {
            return $"deal start epoch has already elapsed: start epoch {p.StartEpoch}, current epoch {head}";
        }

        if (p.StartEpoch < head + _options.StartEpochSealingBuffer)
        {
            return $"deal start epoch {p.StartEpoch} is too soon: it must be at least {_options.StartEpochSealingBuffer} epochs after the current epoch {head} "
                + $"(StartEpochSealingBuffer), so at least {head + _options.StartEpochSealingBuffer}";
        }

        // The sealing capacity estimate: the sector holding the deal must be sealed by its start epoch.
        var sealing = _options.ExpectedSealEpochs;
        if (p.StartEpoch < head + sealing)
        {
            return $"cannot seal the deal in time: sealing is expected to take {_options.ExpectedSealDuration} (ExpectedSealDuration, {sealing} epochs), "
                + $"so it would end around epoch {head + sealing}, after the deal's start epoch {p.StartEpoch}";
        }

        return null;
    }

    private async Task<string?> CheckSignatureAsync(ClientDealProposal signed, TipSetKey head)
    {
        var client = signed.Proposal.Client;
        if (signed.ClientSignature.Type != SignatureType.Secp256k1)
        {
            return $"invalid client signature: {signed.ClientSignature.Type} signatures are not supported by this provider (secp256k1 only)";
        }

        Address key;
        if (client.Protocol is AddressProtocol.Secp256k1)
        {
            key = client;
        }
        else if (client.Protocol is AddressProtocol.Id)
        {
            try
            {
                key = await chain.StateAccountKey(client, head);
            }
            catch (ChainException e)
            {
                return $"invalid client signature: the client {Text(client)} has no account key on chain: {e.Message}";
            }
        }
        else
        {
            return $"invalid client signature: the client {Text(client)} is a {client.Protocol} address; only secp256k1 accounts are supported";
        }

        try
        {
            return Secp256k1.Verify(signed.ClientSignature, signed.Proposal.ToCbor(), key) ? null
                : $"invalid client signature: the signature over the proposal is not {Text(client)}'s";
        }
        catch (UnsupportedSignatureTypeException e)
        {
            return $"invalid client signature: {e.Message}";
        }
    }

    private async Task<string?> CheckEscrowAsync(DealProposal p, TipSetKey head)
    {
        MarketBalance balance;
        try
        {
            balance = await chain.StateMarketBalance(p.Client, head);
        }
        catch (ChainException e)
        {
            return $"node error getting client market balance: {e.Message}";
        }

        var available = balance.Escrow.AttoFil - balance.Locked.AttoFil;
        var required = p.TotalStorageFee.AttoFil + p.ClientCollateral.AttoFil;
        return available >= required ? null
            : $"client market balance too small: available {Fil(available)} (escrow {balance.Escrow}, locked {balance.Locked}) < required {Fil(required)} "
                + "(storage fee + client collateral); add funds with MarketAddBalance";
    }

    private static string? CheckTransfer(ProposedDeal deal, DealProposal p)
    {
        var unpadded = PaddedPieceSize.Unpadded(p.PieceSize);
        if (deal.Transfer.Size > (ulong)unpadded)
        {
            return $"transfer size {deal.Transfer.Size} is larger than the piece can hold ({unpadded} bytes unpadded in {p.PieceSize})";
        }

        if (deal.IsOffline)
        {
            return null;
        }

        if (deal.Transfer.Type != DealTransferSpec.Http)
        {
            return $"transfer type '{deal.Transfer.Type}' is not supported: this provider pulls deal data over http";
        }

        if (deal.Transfer.Size == 0)
        {
            return "transfer size must be set for an online deal";
        }

        try
        {
            _ = HttpTransferRequest.Parse(deal.Transfer.Params);
        }
        catch (FormatException e)
        {
            return $"invalid http transfer params: {e.Message}";
        }

        return null;
    }

    // The SSRF pre-flight (after the params parsed): a client URL at loopback/private addresses is refused here, with the
    // refused address, unless [Dealmaking] AllowPrivateTransferUrls. Without a guard wired (no transfer stage) nothing is pulled.
    private async Task<string?> CheckTransferUrlAsync(ProposedDeal deal)
    {
        if (deal.IsOffline || _options.AllowPrivateTransferUrls || services.GetService<ITransferUrlGuard>() is not { } guard)
        {
            return null;
        }

        var request = HttpTransferRequest.Parse(deal.Transfer.Params);
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url))
        {
            return "invalid http transfer params: the URL is not absolute";
        }

        return await guard.RefusalAsync(url, CancellationToken.None) is { } refusal ? $"transfer URL refused: {refusal}" : null;
    }

    private static bool TryParse(string text, out Address address)
    {
        try
        {
            address = Address.Parse(text);
            return true;
        }
        catch (FilecoinFormatException)
        {
            address = null!;
            return false;
        }
    }

    private static string Fil(BigInteger atto) => new Filecoin.Tokens.TokenAmount(atto).ToString();
}
