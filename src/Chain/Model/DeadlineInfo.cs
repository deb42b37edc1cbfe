namespace Granary.Chain.Model;

/// <summary>
/// A proving deadline's timing, computed exactly as Filecoin's <c>dline.NewInfo</c>: Open = PeriodStart +
/// Index × ChallengeWindow, Close = Open + ChallengeWindow, Challenge = Open − ChallengeLookback, FaultCutoff =
/// Open − FaultDeclarationCutoff.
/// </summary>
public sealed record DeadlineInfo(
    long CurrentEpoch, long PeriodStart, ulong Index, long Open, long Close, long Challenge, long FaultCutoff,
    long WPoStPeriodDeadlines, long WPoStProvingPeriod, long WPoStChallengeWindow, long WPoStChallengeLookback,
    long FaultDeclarationCutoff)
{
    /// <summary>Whether the deadline's challenge window is open at <see cref="CurrentEpoch"/>.</summary>
    public bool IsOpen => CurrentEpoch >= Open && CurrentEpoch < Close;

    /// <summary>Whether faults for this deadline can no longer be declared.</summary>
    public bool FaultCutoffPassed => CurrentEpoch >= FaultCutoff;

    /// <summary>The deadline info for <paramref name="index"/> of the period starting at <paramref name="periodStart"/>.</summary>
    public static DeadlineInfo Create(ChainPolicy policy, long periodStart, ulong index, long currentEpoch)
    {
        if (index >= (ulong)policy.WPoStPeriodDeadlines)
        {
            // Filecoin's "after the last deadline" form: a zero-length window at the period's end.
            var after = periodStart + policy.WPoStProvingPeriod;
            return new DeadlineInfo(currentEpoch, periodStart, index, after, after, after, after,
                policy.WPoStPeriodDeadlines, policy.WPoStProvingPeriod, policy.WPoStChallengeWindow,
                policy.WPoStChallengeLookback, policy.FaultDeclarationCutoff);
        }

        var open = periodStart + ((long)index * policy.WPoStChallengeWindow);
        return new DeadlineInfo(currentEpoch, periodStart, index, open, open + policy.WPoStChallengeWindow,
            open - policy.WPoStChallengeLookback, open - policy.FaultDeclarationCutoff,
            policy.WPoStPeriodDeadlines, policy.WPoStProvingPeriod, policy.WPoStChallengeWindow,
            policy.WPoStChallengeLookback, policy.FaultDeclarationCutoff);
    }

    /// <summary>
    /// The deadline open at <paramref name="currentEpoch"/> for a miner whose proving period is offset by
    /// <paramref name="provingPeriodOffset"/> (Filecoin's <c>NewDeadlineInfoFromOffsetAndEpoch</c>).
    /// </summary>
    public static DeadlineInfo Current(ChainPolicy policy, long provingPeriodOffset, long currentEpoch)
    {
        var period = policy.WPoStProvingPeriod;
        var progress = ((currentEpoch - provingPeriodOffset) % period + period) % period;
        var periodStart = currentEpoch - progress;
        var index = (ulong)(progress / policy.WPoStChallengeWindow);
        return Create(policy, periodStart, index, currentEpoch);
    }
}

/// <summary>One of a miner's deadlines: which partitions have been proven in the current period.</summary>
/// <param name="PostSubmissions">Partition indexes proven this period.</param>
/// <param name="DisputableProofCount">Proofs still open to dispute.</param>
public sealed record Deadline(BitField PostSubmissions, ulong DisputableProofCount);

/// <summary>A partition's sectors by state (Lotus's <c>api.Partition</c>).</summary>
public sealed record Partition(BitField AllSectors, BitField FaultySectors, BitField RecoveringSectors, BitField LiveSectors, BitField ActiveSectors);
