using System.Numerics;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;

namespace Granary.Chain.Devnet.Market;

/// <summary>
/// The storage market actor (f05): escrow, deal publication with client-signature checks and fund locking,
/// activation when a miner proves the sector, and settlement. Simplified from Filecoin (documented here):
/// <list type="bullet">
/// <item>no verified deals (FIL+) and no minimum provider collateral; duration at least one epoch, at most
/// <see cref="MaxDealDuration"/>;</item>
/// <item>payment is settled once, not per epoch: when an active deal reaches its end epoch the whole storage
/// fee moves from the client's escrow to the provider's and all collateral unlocks; a deal whose sector is
/// terminated is slashed at once (the provider is paid for the epochs since the deal's start, the rest and
/// the client collateral unlock, the provider collateral is burnt to f099) and stays visible with its
/// SlashEpoch until its end epoch;</item>
/// <item>a deal not activated by its start epoch is removed at that epoch's cron, its provider collateral
/// burnt and the client's funds unlocked, as Filecoin does.</item>
/// </list>
/// Every check happens before any change, so a refused method leaves the market untouched.
/// </summary>
internal static class MarketActor
{
    /// <summary>Longest deal: Filecoin's 1278 days of 2880 epochs.</summary>
    public const long MaxDealDuration = 1278L * 2880;

    public static byte[] Invoke(CallContext ctx, ulong method) => method switch
    {
        ActorMethods.Market.AddBalance => AddBalance(ctx),
        ActorMethods.Market.WithdrawBalance => WithdrawBalance(ctx),
        ActorMethods.Market.PublishStorageDeals => PublishStorageDeals(ctx),
        _ => throw new ActorException(ActorMethods.UnhandledMessage, $"the market actor has no method {method}"),
    };

    private static byte[] AddBalance(CallContext ctx)
    {
        var address = MarketAddBalanceParams.FromCbor(ctx.Params);
        if (ctx.Value.Sign <= 0)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, "balance to add must be greater than zero");
        }

        var (nominal, _, _) = EscrowAddress(ctx.Tree, address);
        ctx.Tree.Market.Adjust(ctx.Journal, nominal, ctx.Value, BigInteger.Zero);
        ctx.Tree.Dirty.Add(SystemActors.Market);
        return [];
    }

    private static byte[] WithdrawBalance(CallContext ctx)
    {
        var p = MarketWithdrawBalanceParams.FromCbor(ctx.Params);
        if (p.Amount.AttoFil.Sign < 0)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"negative withdrawal {p.Amount}");
        }

        var (nominal, recipient, approved) = EscrowAddress(ctx.Tree, p.ProviderOrClientAddress);
        ctx.RequireCaller(approved, $"withdraw market funds of {p.ProviderOrClientAddress}");
        var market = ctx.Tree.Market;
        var amount = BigInteger.Min(p.Amount.AttoFil, market.BalanceOf(nominal).Available);
        market.Adjust(ctx.Journal, nominal, -amount, BigInteger.Zero);
        ctx.Tree.Dirty.Add(SystemActors.Market);
        ctx.Tree.Transfer(ctx.Receiver, ctx.Tree.Get(recipient), amount);
        return AmountReturn.ToCbor(new(amount));
    }

    private static byte[] PublishStorageDeals(CallContext ctx)
    {
        var p = PublishStorageDealsParams.FromCbor(ctx.Params);
        if (p.Deals.Count == 0)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, "no deals to publish");
        }

        var tree = ctx.Tree;
        var market = tree.Market;
        if (!tree.TryResolve(p.Deals[0].Proposal.Provider, out var providerId) || !tree.Miners.TryGetValue(providerId, out var miner))
        {
            throw new ActorException(ExitCode.ErrNotFound, $"provider {p.Deals[0].Proposal.Provider} is not a miner");
        }

        var info = miner.Info;
        ctx.RequireCaller([info.Worker.Id, .. info.ControlAddresses.Select(a => a.Id)], $"publish deals for {Address.FromId(providerId)} (only its worker or a control address may)");

        var valid = new List<(int Index, DealEntry Deal)>();
        var clientNeeds = new Dictionary<ulong, BigInteger>();
        var providerNeeds = BigInteger.Zero;
        var seen = new HashSet<Filecoin.Cids.Cid>();
        for (var i = 0; i < p.Deals.Count; i++)
        {
            var candidate = Validate(ctx, p.Deals[i], providerId, out var reason);
            if (candidate is null)
            {
                continue; // Filecoin drops an invalid deal and publishes the rest
            }

            var proposal = candidate.Proposal;
            var clientCost = proposal.TotalStorageFee.AttoFil + proposal.ClientCollateral.AttoFil;
            var clientTotal = clientNeeds.GetValueOrDefault(candidate.ClientId) + clientCost;
            if (market.BalanceOf(candidate.ClientId).Available < clientTotal
                || market.BalanceOf(providerId).Available < providerNeeds + proposal.ProviderCollateral.AttoFil
                || !seen.Add(proposal.Cid()))
            {
                continue; // short of escrow, or the same proposal twice in the batch
            }

            clientNeeds[candidate.ClientId] = clientTotal;
            providerNeeds += proposal.ProviderCollateral.AttoFil;
            valid.Add((i, candidate));
        }

        if (valid.Count == 0)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument,
                $"none of the {p.Deals.Count} deals is valid (client signature, epochs, sizes, escrow, duplicates)");
        }

        var ids = new List<ulong>();
        foreach (var (_, deal) in valid)
        {
            var id = market.AllocateDealId(ctx.Journal);
            var proposal = deal.Proposal;
            market.Adjust(ctx.Journal, deal.ClientId, BigInteger.Zero, proposal.TotalStorageFee.AttoFil + proposal.ClientCollateral.AttoFil);
            market.Adjust(ctx.Journal, providerId, BigInteger.Zero, proposal.ProviderCollateral.AttoFil);
            market.Put(ctx.Journal, deal with { Id = id });
            ids.Add(id);
        }

        tree.Dirty.Add(SystemActors.Market);
        return new PublishStorageDealsReturn(ids, new BitField(valid.Select(v => (ulong)v.Index))).ToCbor();
    }

    // A deal as it would be stored (addresses resolved to ids), or null with why it is invalid.
    private static DealEntry? Validate(CallContext ctx, ClientDealProposal signed, ulong providerId, out string reason)
    {
        var tree = ctx.Tree;
        var proposal = signed.Proposal;
        if (!tree.TryResolve(proposal.Provider, out var provider) || provider != providerId)
        {
            reason = "all deals of a batch must have the same provider";
            return null;
        }

        if (!tree.TryResolve(proposal.Client, out var clientId) || tree.KeyOf(clientId) is not { } clientKey)
        {
            reason = $"client {proposal.Client} is not an account";
            return null;
        }

        try
        {
            if (!Secp256k1.Verify(signed.ClientSignature, proposal.ToCbor(), clientKey))
            {
                reason = "the client signature does not verify";
                return null;
            }
        }
        catch (UnsupportedSignatureTypeException e)
        {
            reason = e.Message;
            return null;
        }

        reason = proposal switch
        {
            { VerifiedDeal: true } => "verified deals are not supported by the devnet",
            _ when proposal.StartEpoch <= ctx.Epoch => $"start epoch {proposal.StartEpoch} has already passed (epoch {ctx.Epoch})",
            _ when proposal.EndEpoch <= proposal.StartEpoch => "end epoch must be after the start epoch",
            _ when proposal.Duration > MaxDealDuration => $"duration {proposal.Duration} is longer than {MaxDealDuration} epochs",
            _ when proposal.StoragePricePerEpoch.AttoFil.Sign < 0 || proposal.ProviderCollateral.AttoFil.Sign < 0 || proposal.ClientCollateral.AttoFil.Sign < 0
                => "negative price or collateral",
            _ when !PaddedPieceSize.IsValid(proposal.PieceSize) => $"piece size {proposal.PieceSize} is not a padded piece size",
            _ => "",
        };
        if (reason.Length > 0)
        {
            return null;
        }

        var stored = proposal with { Client = Address.FromId(clientId), Provider = Address.FromId(providerId) };
        if (tree.Market.ProposalCids.Contains(stored.Cid()))
        {
            reason = "this proposal was already published";
            return null;
        }

        return new DealEntry(0, stored, clientId, providerId, new DealState(0, -1, -1, -1));
    }

    /// <summary>
    /// Filecoin's <c>escrow_address</c>: the nominal id, who receives withdrawals (the account itself, or a miner's
    /// owner) and who may withdraw (the account, or the miner's owner, worker and control addresses).
    /// </summary>
    private static (ulong Nominal, ulong Recipient, IReadOnlyList<ulong> Approved) EscrowAddress(StateTree tree, Address address)
    {
        if (!tree.TryResolve(address, out var id))
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"{address} is not an actor the market knows");
        }

        if (tree.Miners.TryGetValue(id, out var miner))
        {
            var info = miner.Info;
            return (id, info.Owner.Id, [info.Owner.Id, info.Worker.Id, .. info.ControlAddresses.Select(a => a.Id)]);
        }

        return tree.Get(id).Code == ActorCode.Account ? (id, id, [id])
            : throw new ActorException(ExitCode.ErrIllegalArgument, $"{address} is neither an account nor a miner");
    }

    /// <summary>
    /// For a pre-commit: the deals must exist, belong to the miner, not be active, start after now and end by the
    /// sector's expiration; their pieces (in order) must fit the sector. Returns the pieces for CommD.
    /// </summary>
    public static IReadOnlyList<PieceInfo> PiecesForSector(StateTree tree, ulong minerId, IReadOnlyList<ulong> dealIds, long sectorExpiration, long epoch)
    {
        var pieces = new List<PieceInfo>();
        foreach (var id in dealIds)
        {
            var deal = CheckDeal(tree, minerId, id, sectorExpiration, epoch);
            pieces.Add(new PieceInfo(deal.Proposal.PieceSize, PieceCid.CommitmentOf(deal.Proposal.PieceCid)));
        }

        if (dealIds.Distinct().Count() != dealIds.Count)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, "a deal is listed twice");
        }

        return pieces;
    }

    /// <summary>Activates the deals of a proven sector (checks all before changing any).</summary>
    public static void Activate(StateTree tree, ulong minerId, ulong sectorNumber, long sectorExpiration, IReadOnlyList<ulong> dealIds, long epoch)
    {
        var deals = dealIds.Select(id => CheckDeal(tree, minerId, id, sectorExpiration, epoch)).ToList();
        foreach (var deal in deals)
        {
            tree.Market.Put(tree.Journal, deal with { State = new DealState(sectorNumber, epoch, epoch, -1) });
        }
    }

    private static DealEntry CheckDeal(StateTree tree, ulong minerId, ulong id, long sectorExpiration, long epoch)
    {
        if (!tree.Market.Deals.TryGetValue(id, out var deal))
        {
            throw new ActorException(ExitCode.ErrNotFound, $"deal {id} does not exist");
        }

        if (deal.ProviderId != minerId)
        {
            throw new ActorException(ExitCode.ErrForbidden, $"deal {id} belongs to {Address.FromId(deal.ProviderId)}, not {Address.FromId(minerId)}");
        }

        if (deal.Active)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"deal {id} is already active");
        }

        if (epoch > deal.Proposal.StartEpoch)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"deal {id} should have started at epoch {deal.Proposal.StartEpoch}");
        }

        if (deal.Proposal.EndEpoch > sectorExpiration)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"deal {id} ends at {deal.Proposal.EndEpoch}, after the sector expires at {sectorExpiration}");
        }

        return deal;
    }

    /// <summary>Slashes the deals of terminated sectors.</summary>
    public static void OnSectorsTerminated(StateTree tree, IEnumerable<ulong> dealIds, long epoch)
    {
        foreach (var id in dealIds)
        {
            if (tree.Market.Deals.TryGetValue(id, out var deal) && deal.Active && !deal.Slashed)
            {
                var p = deal.Proposal;
                var elapsed = Math.Clamp(epoch - p.StartEpoch, 0, p.Duration);
                var payment = p.StoragePricePerEpoch.AttoFil * elapsed;
                Settle(tree, deal, payment, burnProviderCollateral: true);
                tree.Market.Put(tree.Journal, deal with { State = deal.State with { LastUpdatedEpoch = epoch, SlashEpoch = epoch } });
            }
        }
    }

    /// <summary>End-of-epoch work: expire unactivated deals, settle finished ones, drop slashed ones past their end.</summary>
    public static void Cron(StateTree tree, long epoch)
    {
        foreach (var deal in tree.Market.Deals.Values.ToList())
        {
            var p = deal.Proposal;
            if (!deal.Active && p.StartEpoch <= epoch)
            {
                Settle(tree, deal, BigInteger.Zero, burnProviderCollateral: true);
                tree.Market.Remove(tree.Journal, deal);
            }
            else if (deal.Active && p.EndEpoch <= epoch)
            {
                if (!deal.Slashed)
                {
                    Settle(tree, deal, p.TotalStorageFee.AttoFil, burnProviderCollateral: false);
                }

                tree.Market.Remove(tree.Journal, deal);
            }
        }
    }

    // Unlocks everything the deal locked, pays the provider, and burns or returns the provider collateral.
    private static void Settle(StateTree tree, DealEntry deal, BigInteger payment, bool burnProviderCollateral)
    {
        var p = deal.Proposal;
        var market = tree.Market;
        market.Adjust(tree.Journal, deal.ClientId, -payment, -(p.TotalStorageFee.AttoFil + p.ClientCollateral.AttoFil));
        market.Adjust(tree.Journal, deal.ProviderId, payment, -p.ProviderCollateral.AttoFil);
        if (burnProviderCollateral && !p.ProviderCollateral.AttoFil.IsZero)
        {
            market.Adjust(tree.Journal, deal.ProviderId, -p.ProviderCollateral.AttoFil, BigInteger.Zero);
            tree.Transfer(tree.Get(SystemActors.Market), tree.Get(SystemActors.BurntFunds), p.ProviderCollateral.AttoFil);
        }

        tree.Dirty.Add(SystemActors.Market);
    }
}
