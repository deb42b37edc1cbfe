using System.Buffers.Binary;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Devnet.Mining;
using Granary.Filecoin.Addresses;
using Granary.Proofs;

namespace Granary.Chain.Devnet.Execution;

/// <summary>
/// The power actor (f04): <c>CreateMiner</c>. Power itself is not stored: a miner's claim is its active sectors
/// (<see cref="MinerState.Power"/>) and the network's is their sum. Owner and worker must be existing secp256k1
/// accounts (Filecoin requires a BLS worker; the devnet signs secp256k1 only). The devnet accepts 2 KiB and 8 MiB
/// sectors, named by their WindowPoSt proof type (V1 5/6 or V1_1 10/11).
/// </summary>
internal static class PowerActor
{
    public static byte[] Invoke(CallContext ctx, ulong method) => method switch
    {
        ActorMethods.Power.CreateMiner => CreateMiner(ctx),
        _ => throw new ActorException(ActorMethods.UnhandledMessage, $"the power actor has no method {method}"),
    };

    /// <summary>The seal proof a WindowPoSt proof type implies, for the sector sizes the devnet allows.</summary>
    public static SealProofType SealProofFor(long windowPoStProofType)
    {
        var v1 = windowPoStProofType >= 10 ? windowPoStProofType - 5 : windowPoStProofType;
        return SealProofType.All.FirstOrDefault(t => t.WindowPoStProofId == v1 && t.SectorSize <= 8L << 20)
            ?? throw new ActorException(ExitCode.ErrIllegalArgument,
                $"window PoSt proof type {windowPoStProofType} is not one the devnet allows (2 KiB: 5 or 10, 8 MiB: 6 or 11)");
    }

    private static byte[] CreateMiner(CallContext ctx)
    {
        var p = CreateMinerParams.FromCbor(ctx.Params);
        var tree = ctx.Tree;
        var owner = ResolveAccount(tree, p.Owner, "owner");
        var worker = ResolveAccount(tree, p.Worker, "worker");
        var sealProof = SealProofFor(p.WindowPoStProofType);

        // Filecoin's new actor address: blake2b-160 over the creating message's origin, nonce and creation count.
        var seed = new byte[ctx.Caller.Robust!.ToBytes().Length + 16];
        ctx.Caller.Robust.ToBytes().CopyTo(seed, 0);
        BinaryPrimitives.WriteUInt64BigEndian(seed.AsSpan(seed.Length - 16), ctx.MessageNonce);
        var robust = Address.FromActorData(seed);
        if (tree.TryResolve(robust, out _))
        {
            throw new ActorException(ExitCode.ErrIllegalState, $"actor address {robust} already exists");
        }

        var miner = tree.Create(ActorCode.Miner, robust);
        var state = MinerState.Create(miner.Id, Address.FromId(owner), Address.FromId(worker), [], p.Peer.Length == 0 ? null : p.Peer,
            p.Multiaddrs, sealProof.Id, ctx.Epoch, ctx.Policy);
        tree.SetMiner(miner.Id, state);
        tree.Transfer(ctx.Receiver, miner, ctx.Value);
        return new CreateMinerReturn(miner.IdAddress, robust).ToCbor();
    }

    private static ulong ResolveAccount(StateTree tree, Address address, string role) =>
        tree.TryResolve(address, out var id) && tree.Get(id).Code == ActorCode.Account ? id
            : throw new ActorException(ExitCode.ErrIllegalArgument, $"{role} {address} is not an existing account");
}
