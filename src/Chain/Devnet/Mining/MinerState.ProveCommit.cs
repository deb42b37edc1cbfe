using Granary.Chain.Model;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet.Mining;

// ProveCommitSector (7) / ProveCommitSectors3 (34), without aggregation.
public sealed partial class MinerState
{
    /// <summary>
    /// Verifies seal proofs of pre-committed sectors and puts the good ones on chain, unproven, in the deadlines
    /// <see cref="DeadlineAssignment"/> picks. Each pre-commit's deposit becomes the sector's pledge.
    /// </summary>
    /// <param name="proofs">Sector numbers and their seal proofs.</param>
    /// <param name="epoch">The epoch the message executes in.</param>
    /// <param name="randomness">Chain randomness: the ticket at each SealRandEpoch and the seed at PreCommitEpoch + PreCommitChallengeDelay.</param>
    /// <param name="verify">The seal verifier (<see cref="MinerProofs.VerifySeal(SealVerification)"/> for the real one).</param>
    /// <param name="policy">Network policy.</param>
    /// <param name="requireActivationSuccess">
    /// True (ProveCommitSector): any failing sector fails the call and nothing changes. False (ProveCommitSectors3's
    /// option): failing sectors are reported and left pre-committed, the rest proceed; the call fails only if none succeed.
    /// </param>
    /// <exception cref="ActorException">
    /// 16: empty or oversized batch, duplicate sector, too late, sector expired, invalid proof. 17: not pre-committed.
    /// 18: too early (the seed epoch has not passed). 20: no deadline can take more partitions.
    /// </exception>
    public ProveCommitResult ProveCommitSectors(IReadOnlyList<(ulong Sector, byte[] Proof)> proofs, long epoch, ChainRandomness randomness,
        Func<SealVerification, bool> verify, ChainPolicy policy, bool requireActivationSuccess = true)
    {
        if (proofs.Count == 0)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, "no sectors to prove");
        }

        if (proofs.Count > policy.PreCommitSectorBatchMaxSize)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"batch of {proofs.Count} too large, max {policy.PreCommitSectorBatchMaxSize}");
        }

        if (proofs.Select(p => p.Sector).Distinct().Count() != proofs.Count)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, "duplicate sector numbers in batch");
        }

        var proven = new List<PreCommitState>();
        var failed = new List<SectorFailure>();
        foreach (var (sector, proof) in proofs)
        {
            try
            {
                proven.Add(CheckSealProof(sector, proof, epoch, randomness, verify, policy));
            }
            catch (ActorException e) when (!requireActivationSuccess)
            {
                failed.Add(new SectorFailure(sector, e.ExitCode, e.Message));
            }
        }

        if (proven.Count == 0)
        {
            var first = failed[0];
            throw new ActorException(first.ExitCode, first.Reason);
        }

        var current = DeadlineInfo.Current(policy, Info.ProvingPeriodOffset, epoch);
        var mutable = Enumerable.Range(0, Deadlines.Count).Select(d => (ulong)d)
            .Where(d => DeadlineAssignment.IsMutable(policy, current.PeriodStart, d, epoch));
        proven.Sort((a, b) => a.SectorNumber.CompareTo(b.SectorNumber));
        var assigned = DeadlineAssignment.Assign(Deadlines, mutable, Info.WindowPoStPartitionSectors, proven.Count);

        var activated = new List<ActivatedSector>();
        var released = TokenAmount.Zero;
        var pledged = TokenAmount.Zero;
        for (var i = 0; i < proven.Count; i++)
        {
            var pre = proven[i];
            var deadline = assigned[i];
            var partition = AddToDeadline(Deadlines[(int)deadline], pre.SectorNumber);
            var pledge = MinerMonies.SectorPledge;
            Sectors[pre.SectorNumber] = new SectorState
            {
                SectorNumber = pre.SectorNumber,
                SealProof = pre.SealProof,
                SealedCid = pre.SealedCid,
                UnsealedCid = pre.UnsealedCid,
                DealIds = [.. pre.DealIds],
                Activation = epoch,
                Expiration = pre.Expiration,
                InitialPledge = pledge,
                Deadline = deadline,
                Partition = partition,
            };
            PreCommits.Remove(pre.SectorNumber);
            released += pre.Deposit;
            pledged += pledge;
            activated.Add(new ActivatedSector(pre.SectorNumber, [.. pre.DealIds], pre.UnsealedCid, deadline, partition, pre.Expiration));
        }

        PreCommitDeposits -= released;
        InitialPledge += pledged;
        return new ProveCommitResult(activated, failed, released, pledged);
    }

    private PreCommitState CheckSealProof(ulong sector, byte[] proof, long epoch, ChainRandomness randomness, Func<SealVerification, bool> verify, ChainPolicy policy)
    {
        if (!PreCommits.TryGetValue(sector, out var pre))
        {
            throw new ActorException(ExitCode.ErrNotFound, $"no pre-committed sector {sector}");
        }

        var seedEpoch = pre.PreCommitEpoch + policy.PreCommitChallengeDelay;
        if (epoch <= seedEpoch)
        {
            throw new ActorException(ExitCode.ErrForbidden, $"too early to prove sector {sector}: the seed is drawn at {seedEpoch}, now {epoch}");
        }

        var due = pre.PreCommitEpoch + policy.MaxProveCommitDuration;
        if (epoch > due)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"commitment proof for {sector} too late at {epoch}, due {due}");
        }

        if (pre.Expiration <= epoch)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"sector {sector} expired at {pre.Expiration} before it was proven");
        }

        var input = new SealVerification(pre.SealProof, MinerProofs.ProverId(ActorId), sector,
            randomness(DomainSeparationTag.SealRandomness, pre.SealRandEpoch), randomness(DomainSeparationTag.InteractiveSealChallengeSeed, seedEpoch),
            SectorCommitments.CommR(pre.SealedCid), SectorCommitments.CommD(pre.UnsealedCid, Info.SectorSize), proof, pre.SealRandEpoch, seedEpoch);
        if (!verify(input))
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"invalid seal proof for sector {sector}");
        }

        return pre;
    }

    /// <summary>Adds a sector to the deadline's last partition if it has room, else to a new one; its partition index.</summary>
    private ulong AddToDeadline(DeadlineState deadline, ulong sector)
    {
        if (deadline.Partitions.Count == 0 || (ulong)deadline.Partitions[^1].Sectors.Count >= Info.WindowPoStPartitionSectors)
        {
            deadline.Partitions.Add(new PartitionState());
        }

        var partition = deadline.Partitions[^1];
        partition.Sectors.Add(sector);
        partition.Unproven.Add(sector);
        return (ulong)(deadline.Partitions.Count - 1);
    }
}
