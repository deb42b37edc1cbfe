using Granary.Chain.Model;

namespace Granary.Grains.Proving;

/// <summary>
/// One chain head as the proving scheduler hands it to the deadline grains: the head's epoch, the miner's
/// current deadline and the network's deadline constants, from which any deadline's next window follows.
/// </summary>
/// <param name="Head">The head's epoch.</param>
/// <param name="PeriodStart">The start of the miner's current proving period.</param>
/// <param name="CurrentIndex">The deadline open at <paramref name="Head"/>.</param>
/// <param name="PeriodDeadlines">Deadlines per period (<c>WPoStPeriodDeadlines</c>).</param>
/// <param name="ProvingPeriod">Epochs per period (<c>WPoStProvingPeriod</c>).</param>
/// <param name="ChallengeWindow">Epochs per deadline (<c>WPoStChallengeWindow</c>).</param>
/// <param name="ChallengeLookback">How far before a window opens its challenge is drawn (<c>WPoStChallengeLookback</c>).</param>
/// <param name="FaultDeclarationCutoff">How far before a window opens faults must be declared (<c>FaultDeclarationCutoff</c>).</param>
[GenerateSerializer, Immutable, Alias("granary.ProvingTick")]
public sealed record ProvingTick(
    [property: Id(0)] long Head,
    [property: Id(1)] long PeriodStart,
    [property: Id(2)] ulong CurrentIndex,
    [property: Id(3)] long PeriodDeadlines,
    [property: Id(4)] long ProvingPeriod,
    [property: Id(5)] long ChallengeWindow,
    [property: Id(6)] long ChallengeLookback,
    [property: Id(7)] long FaultDeclarationCutoff)
{
    /// <summary>The tick of a <c>StateMinerProvingDeadline</c> answer.</summary>
    public static ProvingTick From(DeadlineInfo info) => new(info.CurrentEpoch, info.PeriodStart, info.Index, info.WPoStPeriodDeadlines,
        info.WPoStProvingPeriod, info.WPoStChallengeWindow, info.WPoStChallengeLookback, info.FaultDeclarationCutoff);

    /// <summary>
    /// Deadline <paramref name="index"/>'s window that has not closed at <see cref="Head"/>: this period's if it is
    /// open or still ahead, else the next period's (Filecoin's <c>NextNotElapsed</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a deadline of the period.</exception>
    public DeadlineWindow Window(ulong index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, (ulong)PeriodDeadlines);
        var window = DeadlineWindow.Of(this, PeriodStart, index);
        return window.Close <= Head ? DeadlineWindow.Of(this, PeriodStart + ProvingPeriod, index) : window;
    }

    /// <summary>The deadline <paramref name="ahead"/> deadlines after the current one (wrapping into the next period).</summary>
    public ulong Following(int ahead) => (CurrentIndex + (ulong)ahead) % (ulong)PeriodDeadlines;
}

/// <summary>
/// One deadline's window in one proving period, by Filecoin's arithmetic: Open = PeriodStart + Index × window,
/// Close = Open + window, Challenge = Open − lookback, FaultCutoff = Open − cutoff.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.DeadlineWindow")]
public sealed record DeadlineWindow(
    [property: Id(0)] ulong Index,
    [property: Id(1)] long PeriodStart,
    [property: Id(2)] long Open,
    [property: Id(3)] long Close,
    [property: Id(4)] long Challenge,
    [property: Id(5)] long FaultCutoff,
    [property: Id(6)] long ChallengeWindow)
{
    internal static DeadlineWindow Of(ProvingTick tick, long periodStart, ulong index)
    {
        var open = periodStart + ((long)index * tick.ChallengeWindow);
        return new DeadlineWindow(index, periodStart, open, open + tick.ChallengeWindow, open - tick.ChallengeLookback,
            open - tick.FaultDeclarationCutoff, tick.ChallengeWindow);
    }

    /// <summary>
    /// Whether at <paramref name="head"/> this window's faults and recoveries are checked and declared: from
    /// <paramref name="leadWindows"/> windows before it opens until a message sent now still lands (in the next
    /// epoch) before the fault cutoff.
    /// </summary>
    public bool DeclarationOpen(long head, int leadWindows) => head >= Open - (leadWindows * ChallengeWindow) && head + 1 < FaultCutoff;

    /// <summary>Whether at <paramref name="head"/> a WindowPoSt sent now still lands inside the window (in the next epoch, before <see cref="Close"/>).</summary>
    public bool ProvingOpen(long head) => head >= Open && head + 1 < Close;
}
