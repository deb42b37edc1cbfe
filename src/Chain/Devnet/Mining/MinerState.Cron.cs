using Granary.Chain.Model;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet.Mining;

// The miner's cron: Filecoin's handle_proving_deadline at the last epoch of each deadline, plus pre-commit expiry.
public sealed partial class MinerState
{
    /// <summary>
    /// Runs the cron for every epoch up to <paramref name="epoch"/> not yet processed (normally just that one;
    /// calling again for the same epoch does nothing). Call it after the epoch's messages.
    /// </summary>
    /// <param name="epoch">The epoch that just ended.</param>
    /// <param name="policy">Network policy.</param>
    /// <param name="actorBalance">
    /// The miner actor's balance. When given, fault fees (and earlier debt) are paid only from what is not locked
    /// and the rest becomes <see cref="FeeDebt"/>; when null, the balance is taken to cover everything.
    /// </param>
    /// <remarks>
    /// At each closing deadline, in Filecoin's order: partitions with live sectors and no WindowPoSt this period
    /// have all their live sectors made faulty and recoveries cancelled; every faulty live sector pays the fault
    /// fee; sectors at or past their expiration expire (pledge unlocked); sectors faulty past their fault
    /// expiration are terminated (pledge burnt); the deadline's PoSt submissions are cleared for the next period.
    /// </remarks>
    public MinerCronResult ProcessEpoch(long epoch, ChainPolicy policy, TokenAmount? actorBalance = null)
    {
        var closed = new List<ulong>();
        var detected = new List<ulong>();
        var failedRecoveries = new List<ulong>();
        var expired = new List<RetiredSector>();
        var terminated = new List<RetiredSector>();
        var faultFees = TokenAmount.Zero;

        for (var next = ProcessedThroughEpoch + 1; next <= epoch;)
        {
            var dl = DeadlineInfo.Current(policy, Info.ProvingPeriodOffset, next);
            var last = dl.Close - 1;
            if (last > epoch)
            {
                break;
            }

            closed.Add(dl.Index);
            faultFees += CloseDeadline(dl, last, policy, detected, failedRecoveries, expired, terminated);
            next = dl.Close;
        }

        var expiredPreCommits = new List<ExpiredPreCommit>();
        foreach (var pre in PreCommits.Values.Where(p => epoch > p.PreCommitEpoch + policy.MaxProveCommitDuration).ToList())
        {
            PreCommits.Remove(pre.SectorNumber);
            expiredPreCommits.Add(new ExpiredPreCommit(pre.SectorNumber, [.. pre.DealIds], pre.Deposit));
        }

        var burntDeposits = Sum(expiredPreCommits.Select(p => p.Deposit));
        var penalties = Sum(terminated.Select(s => s.Pledge));
        var unlocked = Sum(expired.Select(s => s.Pledge));
        PreCommitDeposits -= burntDeposits;
        InitialPledge -= penalties + unlocked;

        // Forfeited deposits and pledge were locked, so the actor holds them; fees come out of what is left unlocked.
        var owed = FeeDebt + faultFees;
        var paid = owed;
        if (actorBalance is { } balance)
        {
            var available = balance - burntDeposits - penalties - LockedFunds;
            paid = available <= TokenAmount.Zero ? TokenAmount.Zero : available < owed ? available : owed;
        }

        FeeDebt = owed - paid;
        ProcessedThroughEpoch = Math.Max(ProcessedThroughEpoch, epoch);
        return new MinerCronResult(closed, new BitField(detected), new BitField(failedRecoveries), expired, terminated, expiredPreCommits,
            faultFees, penalties, burntDeposits, unlocked, burntDeposits + penalties + paid, FeeDebt);
    }

    private TokenAmount CloseDeadline(DeadlineInfo dl, long last, ChainPolicy policy, List<ulong> detected, List<ulong> failedRecoveries,
        List<RetiredSector> expired, List<RetiredSector> terminated)
    {
        var deadline = Deadlines[(int)dl.Index];
        var fees = TokenAmount.Zero;
        for (var i = 0; i < deadline.Partitions.Count; i++)
        {
            var partition = deadline.Partitions[i];
            if (!deadline.PostSubmissions.Contains((ulong)i))
            {
                failedRecoveries.AddRange(partition.Recovering);
                partition.Recovering.Clear();
                detected.AddRange(partition.MarkFaulty(partition.Live.ToList(), last + policy.FaultMaxAge));
            }

            foreach (var s in partition.Faulty.Where(partition.IsLive))
            {
                fees += MinerMonies.FaultFee(Sectors[s].InitialPledge);
            }

            foreach (var s in partition.Live.Where(s => Sectors[s].Expiration <= last).ToList())
            {
                expired.Add(Retire(partition, s, partition.Expired));
            }

            foreach (var s in partition.Faulty.Where(s => partition.FaultExpirations.TryGetValue(s, out var at) && at <= last).ToList())
            {
                terminated.Add(Retire(partition, s, partition.Terminated));
            }
        }

        deadline.PostSubmissions.Clear();
        return fees;
    }

    private RetiredSector Retire(PartitionState partition, ulong sector, SortedSet<ulong> into)
    {
        var info = Sectors[sector];
        partition.Retire(sector, into);
        Sectors.Remove(sector);
        return new RetiredSector(sector, [.. info.DealIds], info.InitialPledge);
    }

    private static TokenAmount Sum(IEnumerable<TokenAmount> amounts) => amounts.Aggregate(TokenAmount.Zero, (a, b) => a + b);
}
