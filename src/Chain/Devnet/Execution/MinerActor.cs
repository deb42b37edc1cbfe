using Granary.Chain.Devnet.Actors;
using Granary.Chain.Devnet.Market;
using Granary.Chain.Devnet.Mining;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet.Execution;

/// <summary>
/// The miner actor's methods: decode the parameters, check the sender, run the rules of <see cref="MinerState"/>
/// on a copy of the state (installed only if the whole message succeeds), move funds and tell the market.
/// Senders: the owner, worker or a control address for everything but <c>ChangeWorkerAddress</c> and
/// <c>WithdrawBalance</c> (owner only) and <c>ProveCommitSector</c> (anyone, as Filecoin).
/// </summary>
internal static class MinerActor
{
    public static byte[] Invoke(CallContext ctx, ulong method)
    {
        var state = ctx.Tree.Miners[ctx.Receiver.Id];
        var info = state.Info;
        ulong[] controllers = [info.Owner.Id, info.Worker.Id, .. info.ControlAddresses.Select(a => a.Id)];
        switch (method)
        {
            case ActorMethods.Miner.ChangeWorkerAddress:
                ctx.RequireCaller([info.Owner.Id], "change the worker (only the owner may)");
                return Update(ctx, state, s =>
                {
                    var p = ChangeWorkerAddressParams.FromCbor(ctx.Params);
                    s.ChangeWorker(ResolveAccount(ctx, p.NewWorker), [.. p.NewControlAddrs.Select(a => ResolveAccount(ctx, a))]);
                });
            case ActorMethods.Miner.ChangePeerId:
                ctx.RequireCaller(controllers, "change the peer id");
                return Update(ctx, state, s => s.ChangePeerId(ChangePeerIdParams.FromCbor(ctx.Params).NewId));
            case ActorMethods.Miner.ChangeMultiaddrs:
                ctx.RequireCaller(controllers, "change the multiaddrs");
                return Update(ctx, state, s => s.ChangeMultiaddrs(ChangeMultiaddrsParams.FromCbor(ctx.Params).NewMultiaddrs));
            case ActorMethods.Miner.PreCommitSectorBatch or ActorMethods.Miner.PreCommitSectorBatch2:
                ctx.RequireCaller(controllers, "pre-commit sectors");
                return Update(ctx, state, s => PreCommit(ctx, s, method));
            case ActorMethods.Miner.ProveCommitSector:
                return ProveCommitSector(ctx, state);
            case ActorMethods.Miner.ProveCommitSectors3:
                ctx.RequireCaller(controllers, "prove-commit sectors");
                return ProveCommitSectors3(ctx, state);
            case ActorMethods.Miner.SubmitWindowedPoSt:
                ctx.RequireCaller(controllers, "submit a WindowPoSt");
                return Update(ctx, state, s => SubmitWindowedPoSt(ctx, s));
            case ActorMethods.Miner.DeclareFaults:
                ctx.RequireCaller(controllers, "declare faults");
                return Update(ctx, state, s => s.DeclareFaults(Declarations(ctx), ctx.Epoch, ctx.Policy));
            case ActorMethods.Miner.DeclareFaultsRecovered:
                ctx.RequireCaller(controllers, "declare recoveries");
                return Update(ctx, state, s => s.DeclareFaultsRecovered(Declarations(ctx), ctx.Epoch, ctx.Policy));
            case ActorMethods.Miner.WithdrawBalance:
                ctx.RequireCaller([info.Owner.Id], "withdraw the miner's balance (only the owner may)");
                return WithdrawBalance(ctx, state);
            default:
                throw new ActorException(ActorMethods.UnhandledMessage, $"the miner actor has no method {method}");
        }
    }

    /// <summary>Randomness as the miner rules ask for it, with the miner's address as entropy where Filecoin uses it.</summary>
    public static ChainRandomness RandomnessFor(DevnetRandomness randomness, ulong minerId)
    {
        var entropy = DevnetRandomness.MinerEntropy(Address.FromId(minerId));
        return (tag, epoch) => tag switch
        {
            DomainSeparationTag.PoStChainCommit => randomness.FromTickets(tag, epoch, []),
            DomainSeparationTag.SealRandomness or DomainSeparationTag.TicketProduction => randomness.FromTickets(tag, epoch, entropy),
            _ => DevnetRandomness.FromBeacon(tag, epoch, entropy),
        };
    }

    // Runs a rule on a copy of the state and installs the copy (journaled: undone if the message fails later).
    private static byte[] Update(CallContext ctx, MinerState state, Action<MinerState> change)
    {
        var copy = MinerState.FromJson(state.ToJson());
        change(copy);
        ctx.Tree.SetMiner(ctx.Receiver.Id, copy);
        return [];
    }

    private static void PreCommit(CallContext ctx, MinerState state, ulong method)
    {
        var p = method == ActorMethods.Miner.PreCommitSectorBatch
            ? PreCommitSectorBatchParams.FromCbor(ctx.Params) : PreCommitSectorBatchParams.FromCbor2(ctx.Params);
        var sectors = p.Sectors.Select(sector =>
        {
            if (sector.DealIds.Count == 0)
            {
                return sector;
            }

            // CommD must be what the deals' pieces make (method 25 carries none: the devnet fills it in).
            var pieces = MarketActor.PiecesForSector(ctx.Tree, ctx.Receiver.Id, sector.DealIds, sector.Expiration, ctx.Epoch);
            Filecoin.Cids.Cid commD;
            try
            {
                commD = SectorCommitments.UnsealedCid(SectorCommD.Compute((long)state.Info.SectorSize, pieces));
            }
            catch (ArgumentException e)
            {
                throw new ActorException(ExitCode.ErrIllegalArgument, $"sector {sector.SectorNumber}: the deals do not fit: {e.Message}");
            }

            if (sector.UnsealedCid is { } given && !given.Equals(commD))
            {
                throw new ActorException(ExitCode.ErrIllegalArgument, $"sector {sector.SectorNumber}: unsealed CID {given} is not the deals' CommD {commD}");
            }

            return sector with { UnsealedCid = commD };
        }).ToList();
        state.PreCommitSectorBatch(sectors, ctx.Epoch, ctx.Policy, new TokenAmount(ctx.Receiver.Balance));
    }

    private static byte[] ProveCommitSector(CallContext ctx, MinerState state)
    {
        var p = ProveCommitSectorParams.FromCbor(ctx.Params);
        var copy = MinerState.FromJson(state.ToJson());
        var result = copy.ProveCommitSectors([(p.SectorNumber, p.Proof)], ctx.Epoch, RandomnessFor(ctx.Randomness, ctx.Receiver.Id),
            MinerProofs.VerifySeal, ctx.Policy, requireActivationSuccess: true);
        Activate(ctx, result);
        ctx.Tree.SetMiner(ctx.Receiver.Id, copy);
        return [];
    }

    private static byte[] ProveCommitSectors3(CallContext ctx, MinerState state)
    {
        var p = ProveCommitSectors3Params.FromCbor(ctx.Params);
        if (p.SectorActivations.Count != p.SectorProofs.Count)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"{p.SectorActivations.Count} sector activations but {p.SectorProofs.Count} proofs");
        }

        foreach (var activation in p.SectorActivations.Where(a => a.Pieces.Count > 0))
        {
            CheckPieceManifest(ctx, state, activation);
        }

        var copy = MinerState.FromJson(state.ToJson());
        var result = copy.ProveCommitSectors([.. p.SectorActivations.Select((a, i) => (a.SectorNumber, p.SectorProofs[i]))], ctx.Epoch,
            RandomnessFor(ctx.Randomness, ctx.Receiver.Id), MinerProofs.VerifySeal, ctx.Policy, p.RequireActivationSuccess);
        Activate(ctx, result);
        ctx.Tree.SetMiner(ctx.Receiver.Id, copy);
        var index = p.SectorActivations.Select((a, i) => (a.SectorNumber, i)).ToDictionary(x => x.SectorNumber, x => (ulong)x.i);
        return new BatchReturn((ulong)result.Activated.Count, [.. result.Failed.Select(f => (index[f.SectorNumber], (long)f.ExitCode))]).ToCbor();
    }

    // A piece manifest must list the pre-committed deals' pieces, in order (the devnet activates deals by id).
    private static void CheckPieceManifest(CallContext ctx, MinerState state, SectorActivationManifest activation)
    {
        if (!state.PreCommits.TryGetValue(activation.SectorNumber, out var pre))
        {
            return; // the rules report the missing pre-commit
        }

        var deals = pre.DealIds.Select(id => ctx.Tree.Market.Deals.GetValueOrDefault(id)?.Proposal).ToList();
        var matches = deals.Count == activation.Pieces.Count && deals.Zip(activation.Pieces)
            .All(x => x.First is { } d && d.PieceCid.Equals(x.Second.Cid) && d.PieceSize == x.Second.Size);
        if (!matches)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"sector {activation.SectorNumber}: the pieces do not match its pre-committed deals");
        }
    }

    private static void Activate(CallContext ctx, ProveCommitResult result)
    {
        foreach (var sector in result.Activated.Where(s => s.DealIds.Count > 0))
        {
            MarketActor.Activate(ctx.Tree, ctx.Receiver.Id, sector.SectorNumber, sector.Expiration, sector.DealIds, ctx.Epoch);
        }
    }

    private static void SubmitWindowedPoSt(CallContext ctx, MinerState state)
    {
        var p = SubmitWindowedPoStParams.FromCbor(ctx.Params);
        if (p.Proofs.Count != 1)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"expected exactly one proof (the miner's one proof type), got {p.Proofs.Count}");
        }

        if (p.Proofs[0].PoStProofType != state.Info.WindowPoStProofType && p.Proofs[0].PoStProofType != state.Info.WindowPoStProofType + 5)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"proof type {p.Proofs[0].PoStProofType} is not the miner's {state.Info.WindowPoStProofType}");
        }

        var skipped = p.Partitions.Aggregate(BitField.Empty, (all, part) => all.Union(part.Skipped));
        state.SubmitWindowedPoSt(p.Deadline, [.. p.Partitions.Select(x => x.Index)], p.Proofs[0].ProofBytes, p.ChainCommitEpoch, ctx.Epoch,
            RandomnessFor(ctx.Randomness, ctx.Receiver.Id), MinerProofs.VerifyWindowPoSt, ctx.Policy, skipped,
            p.ChainCommitRand.Length == 0 ? null : p.ChainCommitRand);
    }

    private static List<(ulong Deadline, ulong Partition, BitField Sectors)> Declarations(CallContext ctx) =>
        [.. DeclareFaultsParams.FromCbor(ctx.Params).Declarations.Select(d => (d.Deadline, d.Partition, d.Sectors))];

    private static byte[] WithdrawBalance(CallContext ctx, MinerState state)
    {
        var p = WithdrawBalanceParams.FromCbor(ctx.Params);
        if (p.AmountRequested.AttoFil.Sign < 0)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"negative withdrawal {p.AmountRequested}");
        }

        var available = state.AvailableBalance(new TokenAmount(ctx.Receiver.Balance));
        var amount = p.AmountRequested < available ? p.AmountRequested : available;
        ctx.Tree.Transfer(ctx.Receiver, ctx.Tree.Get(state.Info.Owner.Id), amount.AttoFil);
        return AmountReturn.ToCbor(amount);
    }

    private static Address ResolveAccount(CallContext ctx, Address address) =>
        ctx.Tree.TryResolve(address, out var id) && ctx.Tree.Get(id).Code == ActorCode.Account ? Address.FromId(id)
            : throw new ActorException(ExitCode.ErrIllegalArgument, $"{address} is not an existing account");
}
