using Granary.Chain.Model;
using Granary.Proofs.PoSt;

namespace Granary.Chain.Devnet.Mining;

// SubmitWindowedPoSt (5).
public sealed partial class MinerState
{
    /// <summary>
    /// Verifies and records a WindowPoSt for partitions of the open deadline. Skipped sectors become faulty;
    /// recovering sectors the proof covers become healthy; unproven ones gain power.
    /// </summary>
    /// <param name="deadline">The deadline proven: must be the one open at <paramref name="epoch"/>.</param>
    /// <param name="partitions">Its partitions proven (at most <c>PoStedPartitionsMax</c>).</param>
    /// <param name="proof">The proof bytes.</param>
    /// <param name="chainCommitEpoch">The epoch the SP committed to: at or after the challenge, before now.</param>
    /// <param name="epoch">The epoch the message executes in.</param>
    /// <param name="randomness">Chain randomness: the WindowedPoStChallengeSeed at the deadline's challenge epoch (and PoStChainCommit when <paramref name="chainCommitRand"/> is given).</param>
    /// <param name="verify">The PoSt verifier (<see cref="MinerProofs.VerifyWindowPoSt(WindowPoStVerification)"/> for the real one).</param>
    /// <param name="policy">Network policy.</param>
    /// <param name="skipped">Sectors of these partitions the SP could not prove (declared faulty by this proof).</param>
    /// <param name="chainCommitRand">When given, must equal the PoStChainCommit randomness at <paramref name="chainCommitEpoch"/>.</param>
    /// <exception cref="ActorException">
    /// 16: not the open deadline, no or too many or duplicate partitions, a partition already proven this period, a
    /// chain commit epoch out of range or with the wrong randomness, skipped sectors outside the partitions, an
    /// invalid proof. 17: no such partition.
    /// </exception>
    public WindowPoStResult SubmitWindowedPoSt(ulong deadline, IReadOnlyList<ulong> partitions, byte[] proof, long chainCommitEpoch, long epoch,
        ChainRandomness randomness, Func<WindowPoStVerification, bool> verify, ChainPolicy policy, BitField? skipped = null, byte[]? chainCommitRand = null)
    {
        if (deadline >= (ulong)Deadlines.Count)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"invalid deadline {deadline} of {Deadlines.Count}");
        }

        var current = DeadlineInfo.Current(policy, Info.ProvingPeriodOffset, epoch);
        if (deadline != current.Index)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"invalid deadline {deadline} at epoch {epoch}, expected {current.Index}");
        }

        if (partitions.Count == 0)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, "no partitions to prove");
        }

        if (partitions.Count > policy.PoStedPartitionsMax)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"too many partitions {partitions.Count}, max {policy.PoStedPartitionsMax}");
        }

        if (chainCommitEpoch < current.Challenge)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"expected chain commit epoch {chainCommitEpoch} to be after {current.Challenge}");
        }

        if (chainCommitEpoch >= epoch)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"chain commit epoch {chainCommitEpoch} must be less than the current epoch {epoch}");
        }

        if (chainCommitRand is not null && !chainCommitRand.AsSpan().SequenceEqual(randomness(DomainSeparationTag.PoStChainCommit, chainCommitEpoch)))
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, "post commit randomness mismatched");
        }

        var dl = Deadlines[(int)deadline];
        var targets = new List<PartitionState>();
        foreach (var index in partitions)
        {
            if (index >= (ulong)dl.Partitions.Count)
            {
                throw new ActorException(ExitCode.ErrNotFound, $"no such partition {index} in deadline {deadline}");
            }

            if (dl.PostSubmissions.Contains(index))
            {
                throw new ActorException(ExitCode.ErrIllegalArgument, $"partition {index} already proven in this period");
            }

            if (partitions.Count(p => p == index) > 1)
            {
                throw new ActorException(ExitCode.ErrIllegalArgument, $"partition {index} listed twice");
            }

            targets.Add(dl.Partitions[(int)index]);
        }

        var skip = skipped?.Members ?? [];
        var outside = skip.Where(s => !targets.Any(p => p.Sectors.Contains(s))).Take(1).ToList();
        if (outside.Count > 0)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"skipped faults contains sector {outside[0]} outside the partitions proven");
        }

        // Recovering sectors are faulty but included, so proving them is what recovers them.
        var toProve = targets.SelectMany(p => p.Live.Where(s => (!p.Faulty.Contains(s) || p.Recovering.Contains(s)) && !skip.Contains(s)))
            .Order().ToList();
        if (toProve.Count > 0)
        {
            var sectors = toProve.Select(s => new PoStPublicSector(s, SectorCommitments.CommR(Sectors[s].SealedCid))).ToList();
            var input = new WindowPoStVerification(Info.SealProofType, Info.WindowPoStProofType, MinerProofs.ProverId(ActorId),
                randomness(DomainSeparationTag.WindowedPoStChallengeSeed, current.Challenge), current.Challenge, sectors, proof);
            if (!verify(input))
            {
                throw new ActorException(ExitCode.ErrIllegalArgument, $"invalid PoSt for deadline {deadline} partitions [{string.Join(",", partitions)}]");
            }
        }

        var recovered = new List<ulong>();
        var activated = new List<ulong>();
        var newFaults = new List<ulong>();
        var faultExpiration = current.Close - 1 + policy.FaultMaxAge;
        foreach (var partition in targets)
        {
            newFaults.AddRange(partition.MarkFaulty(skip.Where(partition.Sectors.Contains), faultExpiration));
            var healed = partition.Recovering.Where(s => !skip.Contains(s)).ToList();
            partition.Heal(healed);
            recovered.AddRange(healed);
            var firstProof = partition.Unproven.Where(s => !skip.Contains(s)).ToList();
            partition.Unproven.ExceptWith(firstProof);
            activated.AddRange(firstProof);
        }

        dl.PostSubmissions.UnionWith(partitions);
        return new WindowPoStResult(new BitField(toProve), new BitField(recovered), new BitField(activated), new BitField(newFaults));
    }
}
