using Granary.Chain.Model;

namespace Granary.Chain.Tests;

/// <summary>Deadline arithmetic against go-state-types dline.NewInfo (reference/filecoin.md §5).</summary>
public sealed class DeadlineInfoTests
{
    [Fact]
    public void Mainnet_deadline_windows_follow_filecoins_formulas()
    {
        // Open = PeriodStart + idx×60; Close = Open+60; Challenge = Open−20; FaultCutoff = Open−70.
        var d = DeadlineInfo.Create(ChainPolicy.Mainnet, periodStart: 10_000, index: 5, currentEpoch: 10_310);
        Assert.Equal(10_300, d.Open);
        Assert.Equal(10_360, d.Close);
        Assert.Equal(10_280, d.Challenge);
        Assert.Equal(10_230, d.FaultCutoff);
        Assert.True(d.IsOpen);
        Assert.True(d.FaultCutoffPassed);
    }

    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(59, 0, 0, 0)]
    [InlineData(60, 0, 1, 60)]
    [InlineData(2879, 0, 47, 2820)]
    [InlineData(2880, 2880, 0, 2880)]
    [InlineData(3000, 2880, 2, 3000)]
    public void The_current_deadline_comes_from_the_offset_and_epoch(long epoch, long periodStart, ulong index, long open)
    {
        var d = DeadlineInfo.Current(ChainPolicy.Mainnet, provingPeriodOffset: 0, epoch);
        Assert.Equal(periodStart, d.PeriodStart);
        Assert.Equal(index, d.Index);
        Assert.Equal(open, d.Open);
    }

    [Fact]
    public void An_offset_shifts_the_period_start_and_never_lies_in_the_future()
    {
        var d = DeadlineInfo.Current(ChainPolicy.Mainnet, provingPeriodOffset: 1000, currentEpoch: 500);
        Assert.Equal(1000 - 2880, d.PeriodStart);
        Assert.Equal((ulong)((500 - d.PeriodStart) / 60), d.Index);
        Assert.True(d.PeriodStart <= 500 && 500 < d.PeriodStart + 2880);
    }

    [Fact]
    public void The_index_after_the_last_deadline_is_a_closed_window_at_the_period_end()
    {
        var d = DeadlineInfo.Create(ChainPolicy.Mainnet, 0, 48, 100);
        Assert.Equal(2880, d.Open);
        Assert.Equal(d.Open, d.Close);
    }

    [Fact]
    public void The_devnet_policy_keeps_48_deadlines_and_the_order_of_lookback_and_cutoff()
    {
        var p = ChainPolicy.Devnet;
        Assert.Equal(p.WPoStPeriodDeadlines * p.WPoStChallengeWindow, p.WPoStProvingPeriod);
        Assert.Equal(48, p.WPoStPeriodDeadlines);
        Assert.True(p.WPoStChallengeLookback < p.FaultDeclarationCutoff);
        Assert.Equal(10, p.PreCommitChallengeDelay);
    }
}
