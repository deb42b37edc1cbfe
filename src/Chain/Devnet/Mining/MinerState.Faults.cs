using Granary.Chain.Model;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet.Mining;

// DeclareFaults (10) and DeclareFaultsRecovered (11).
public sealed partial class MinerState
{
    /// <summary>
    /// Declares sectors faulty ahead of their deadline's next window. Sectors already faulty, terminated or
    /// expired are ignored; a recovering sector declared faulty again stops recovering.
    /// </summary>
    /// <returns>The sectors that became faulty.</returns>
    /// <exception cref="ActorException">
    /// 16: an invalid deadline, the deadline's fault cutoff passed for its next window, sectors outside the
    /// partition, too many sectors. 17: no such partition.
    /// </exception>
    public BitField DeclareFaults(IReadOnlyList<(ulong Deadline, ulong Partition, BitField Sectors)> faults, long epoch, ChainPolicy policy)
    {
        var targets = ResolveDeclarations(faults, epoch, policy, "fault");
        var added = new List<ulong>();
        foreach (var (partition, sectors, target) in targets)
        {
            added.AddRange(partition.MarkFaulty(sectors.Members, target.Close - 1 + policy.FaultMaxAge));
        }

        return new BitField(added);
    }

    /// <summary>
    /// Declares faulty sectors recovered: they stay faulty until a WindowPoSt of their partition proves them.
    /// Sectors not faulty are ignored.
    /// </summary>
    /// <returns>The sectors now recovering.</returns>
    /// <exception cref="ActorException">
    /// 16: as <see cref="DeclareFaults"/>. 17: no such partition. 19: fee debt outstanding.
    /// </exception>
    public BitField DeclareFaultsRecovered(IReadOnlyList<(ulong Deadline, ulong Partition, BitField Sectors)> recoveries, long epoch, ChainPolicy policy)
    {
        if (FeeDebt > TokenAmount.Zero)
        {
            throw new ActorException(ExitCode.ErrInsufficientFunds, $"cannot declare recoveries with unpaid fee debt of {FeeDebt}");
        }

        var targets = ResolveDeclarations(recoveries, epoch, policy, "recovery");
        var added = new List<ulong>();
        foreach (var (partition, sectors, _) in targets)
        {
            foreach (var s in sectors.Members)
            {
                if (partition.IsLive(s) && partition.Faulty.Contains(s) && partition.Recovering.Add(s))
                {
                    added.Add(s);
                }
            }
        }

        return new BitField(added);
    }

    private List<(PartitionState Partition, BitField Sectors, DeadlineInfo Target)> ResolveDeclarations(
        IReadOnlyList<(ulong Deadline, ulong Partition, BitField Sectors)> declarations, long epoch, ChainPolicy policy, string kind)
    {
        if (declarations.Sum(d => (long)d.Sectors.Count) > AddressedSectorsMax)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"too many {kind} sectors, max {AddressedSectorsMax}");
        }

        var current = DeadlineInfo.Current(policy, Info.ProvingPeriodOffset, epoch);
        var resolved = new List<(PartitionState, BitField, DeadlineInfo)>();
        foreach (var (deadline, index, sectors) in declarations)
        {
            if (deadline >= (ulong)Deadlines.Count)
            {
                throw new ActorException(ExitCode.ErrIllegalArgument, $"invalid deadline {deadline} of {Deadlines.Count}");
            }

            // The declaration is for the deadline's next window that has not closed (Filecoin's NextNotElapsed).
            var target = DeadlineInfo.Create(policy, current.PeriodStart, deadline, epoch);
            if (target.Close <= epoch)
            {
                target = DeadlineInfo.Create(policy, current.PeriodStart + policy.WPoStProvingPeriod, deadline, epoch);
            }

            if (target.FaultCutoffPassed)
            {
                throw new ActorException(ExitCode.ErrIllegalArgument,
                    $"late {kind} declaration for deadline {deadline} at epoch {epoch}: its fault cutoff was {target.FaultCutoff}");
            }

            var partitions = Deadlines[(int)deadline].Partitions;
            if (index >= (ulong)partitions.Count)
            {
                throw new ActorException(ExitCode.ErrNotFound, $"no such partition {index} in deadline {deadline}");
            }

            var partition = partitions[(int)index];
            if (sectors.Members.Any(s => !partition.Sectors.Contains(s)))
            {
                throw new ActorException(ExitCode.ErrIllegalArgument, $"{kind} declaration: sectors not all in deadline {deadline} partition {index}");
            }

            resolved.Add((partition, sectors, target));
        }

        return resolved;
    }
}
