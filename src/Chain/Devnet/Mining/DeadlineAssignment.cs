using Granary.Chain.Model;

namespace Granary.Chain.Devnet.Mining;

/// <summary>
/// Which deadline each new sector goes to, by Filecoin's ordering (builtin-actors <c>deadline_assignment</c>):
/// among deadlines that can take sectors now, prefer one that stays under the partition limit, then the fewest
/// partitions after compaction (live sectors) and after assignment (all sectors), then one whose last partition
/// has room (the fuller the better), then the fewest live sectors, then the lowest index.
/// </summary>
internal static class DeadlineAssignment
{
    /// <summary>
    /// Whether deadline <paramref name="index"/> may take new sectors at <paramref name="epoch"/>: not if its
    /// window is open or opens within one challenge window (Filecoin's <c>deadline_is_mutable</c>).
    /// </summary>
    public static bool IsMutable(ChainPolicy policy, long periodStart, ulong index, long epoch)
    {
        var info = DeadlineInfo.Create(policy, periodStart, index, epoch);
        if (info.Close <= epoch)
        {
            info = DeadlineInfo.Create(policy, periodStart + policy.WPoStProvingPeriod, index, epoch);
        }

        return epoch < info.Open - policy.WPoStChallengeWindow;
    }

    /// <summary>The deadline for each of <paramref name="count"/> sectors, in order.</summary>
    /// <exception cref="ActorException">20: every mutable deadline is at the partition limit.</exception>
    public static ulong[] Assign(IReadOnlyList<DeadlineState> deadlines, IEnumerable<ulong> mutable, ulong partitionSize, int count)
    {
        var candidates = mutable.Select(i => new Candidate(i, (ulong)deadlines[(int)i].LiveSectors, (ulong)deadlines[(int)i].TotalSectors)).ToList();
        var result = new ulong[count];
        for (var s = 0; s < count; s++)
        {
            Candidate? best = null;
            foreach (var c in candidates)
            {
                if (best is null || Compare(c, best, partitionSize) < 0)
                {
                    best = c;
                }
            }

            if (best is null || best.Total >= partitionSize * MinerState.MaxPartitionsPerDeadline)
            {
                throw new ActorException(ExitCode.ErrIllegalState, "max partitions limit reached for all deadlines");
            }

            result[s] = best.Index;
            best.Live++;
            best.Total++;
        }

        return result;
    }

    private static int Compare(Candidate a, Candidate b, ulong size)
    {
        var limit = size * MinerState.MaxPartitionsPerDeadline;
        var aFull = a.Total >= limit;
        var bFull = b.Total >= limit;
        if (aFull != bFull)
        {
            return aFull ? 1 : -1;
        }

        var compact = Partitions(a.Live + 1, size).CompareTo(Partitions(b.Live + 1, size));
        if (compact != 0)
        {
            return compact;
        }

        var after = Partitions(a.Total + 1, size).CompareTo(Partitions(b.Total + 1, size));
        if (after != 0)
        {
            return after;
        }

        var aFullNow = a.Total % size == 0;
        var bFullNow = b.Total % size == 0;
        if (aFullNow != bFullNow)
        {
            return aFullNow ? 1 : -1;
        }

        if (!aFullNow && a.Total != b.Total)
        {
            return b.Total.CompareTo(a.Total); // fill the fuller open partition first
        }

        var live = a.Live.CompareTo(b.Live);
        return live != 0 ? live : a.Index.CompareTo(b.Index);
    }

    private static ulong Partitions(ulong sectors, ulong size) => (sectors + size - 1) / size;

    private sealed class Candidate(ulong index, ulong live, ulong total)
    {
        public ulong Index { get; } = index;

        public ulong Live { get; set; } = live;

        public ulong Total { get; set; } = total;
    }
}
