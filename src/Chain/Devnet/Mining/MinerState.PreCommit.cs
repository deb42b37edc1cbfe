using Granary.Chain.Model;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet.Mining;

// PreCommitSectorBatch (25/28).
public sealed partial class MinerState
{
    /// <summary>
    /// Records pre-commits and returns the deposit to lock (<see cref="MinerMonies.SectorPledge"/> each). The
    /// market's deal checks (deals exist, belong to this provider, CommD matches) are the caller's.
    /// </summary>
    /// <param name="sectors">The batch.</param>
    /// <param name="epoch">The epoch the message executes in.</param>
    /// <param name="policy">Network policy.</param>
    /// <param name="actorBalance">The miner actor's balance: when given, the deposit must fit in what is not locked.</param>
    /// <exception cref="ActorException">
    /// 16: empty or oversized batch, a sector number used before or twice, a wrong seal proof, a CID with the wrong
    /// prefix, deals without CommD or too many, a ticket from the future or too old, an expiration too soon or too
    /// late. 19: fee debt outstanding, or a balance that cannot cover the deposit.
    /// </exception>
    public TokenAmount PreCommitSectorBatch(IReadOnlyList<SectorPreCommitInfo> sectors, long epoch, ChainPolicy policy, TokenAmount? actorBalance = null)
    {
        if (sectors.Count == 0)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, "batch empty");
        }

        if (sectors.Count > policy.PreCommitSectorBatchMaxSize)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"batch of {sectors.Count} too large, max {policy.PreCommitSectorBatchMaxSize}");
        }

        if (FeeDebt > TokenAmount.Zero)
        {
            throw new ActorException(ExitCode.ErrInsufficientFunds, $"unpaid fee debt of {FeeDebt}; it is repaid from the miner's balance by the cron");
        }

        var seen = new HashSet<ulong>();
        foreach (var sector in sectors)
        {
            ValidatePreCommit(sector, epoch, policy);
            if (!seen.Add(sector.SectorNumber))
            {
                throw new ActorException(ExitCode.ErrIllegalArgument, $"duplicate sector number {sector.SectorNumber}");
            }
        }

        var deposit = new TokenAmount(MinerMonies.SectorPledge.AttoFil * sectors.Count);
        if (actorBalance is { } balance && balance - LockedFunds < deposit)
        {
            throw new ActorException(ExitCode.ErrInsufficientFunds,
                $"insufficient funds {balance - LockedFunds} for pre-commit deposit: {deposit}");
        }

        foreach (var sector in sectors)
        {
            AllocatedSectors.Add(sector.SectorNumber);
            PreCommits[sector.SectorNumber] = new PreCommitState
            {
                SectorNumber = sector.SectorNumber,
                SealProof = sector.SealProof,
                SealedCid = sector.SealedCid,
                UnsealedCid = sector.UnsealedCid,
                SealRandEpoch = sector.SealRandEpoch,
                DealIds = [.. sector.DealIds],
                Expiration = sector.Expiration,
                Deposit = MinerMonies.SectorPledge,
                PreCommitEpoch = epoch,
            };
        }

        PreCommitDeposits += deposit;
        return deposit;
    }

    private void ValidatePreCommit(SectorPreCommitInfo sector, long epoch, ChainPolicy policy)
    {
        var n = sector.SectorNumber;
        if (n > MaxSectorNumber)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"sector number {n} out of range 0..(2^63-1)");
        }

        if (AllocatedSectors.Contains(n))
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"sector number {n} already allocated");
        }

        if (sector.SealProof != Info.SealProofType)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"sector {n}: seal proof {sector.SealProof} does not match the miner's {Info.SealProofType}");
        }

        if (!SectorCommitments.IsSealedCid(sector.SealedCid))
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"sector {n}: sealed CID had wrong prefix");
        }

        if (sector.UnsealedCid is { } unsealed && !SectorCommitments.IsUnsealedCid(unsealed))
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"sector {n}: unsealed CID had wrong prefix");
        }

        if (sector.DealIds.Count > 0 && sector.UnsealedCid is null)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"sector {n}: a sector with deals needs its unsealed CID");
        }

        if (sector.DealIds.Count > MaxDealsPerSector)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"sector {n}: too many deals {sector.DealIds.Count}, max {MaxDealsPerSector}");
        }

        if (sector.SealRandEpoch >= epoch)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"sector {n}: seal challenge epoch {sector.SealRandEpoch} must be before now {epoch}");
        }

        var earliest = epoch - policy.MaxPreCommitRandomnessLookback;
        if (sector.SealRandEpoch < earliest)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"sector {n}: seal challenge epoch {sector.SealRandEpoch} too old, must be after {earliest}");
        }

        // Filecoin validates against the latest possible activation, so any timely prove-commit leaves the minimum lifetime.
        var activation = epoch + policy.MaxProveCommitDuration;
        if (sector.Expiration <= activation)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"sector {n}: expiration {sector.Expiration} must be after activation {activation}");
        }

        if (sector.Expiration - activation < policy.MinSectorExpiration)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument,
                $"sector {n}: invalid expiration {sector.Expiration}, total sector lifetime ({sector.Expiration - activation}) must exceed {policy.MinSectorExpiration} after activation {activation}");
        }

        if (sector.Expiration > epoch + policy.MaxSectorExpirationExtension)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument,
                $"sector {n}: invalid expiration {sector.Expiration}, cannot be more than {policy.MaxSectorExpirationExtension} past current epoch {epoch}");
        }
    }
}
