using Granary.Chain.Model;
using Granary.Grains.Proving;

namespace Granary.Grains.Tests;

/// <summary>The deadline arithmetic, partition assignment and WinningPoSt challenge the proving grains act on.</summary>
public sealed class ProvingRulesTests
{
    // The devnet: 48 deadlines of 10 epochs, lookback 4, cutoff 6; a miner whose period starts at 7 (offset 7).
    private static ProvingTick Tick(long head) => ProvingTick.From(DeadlineInfo.Current(ChainPolicy.Devnet, 7, head));

    [Fact]
    public void A_deadline_window_is_this_period_s_until_it_closes_then_the_next_period_s()
    {
        var tick = Tick(7 + 480 + 35); // period 487, deadline 3 open (517..527)
        Assert.Equal((487L, 3UL), (tick.PeriodStart, tick.CurrentIndex));

        var open = tick.Window(3);
        Assert.Equal(new DeadlineWindow(3, 487, 517, 527, 513, 511, 10), open);
        var ahead = tick.Window(5);
        Assert.Equal((487L, 537L, 547L, 533L, 531L), (ahead.PeriodStart, ahead.Open, ahead.Close, ahead.Challenge, ahead.FaultCutoff));
        var passed = tick.Window(2); // closed at 517: its next window is next period's
        Assert.Equal((967L, 987L), (passed.PeriodStart, passed.Open));
        Assert.Equal([4UL, 5UL], new[] { tick.Following(1), tick.Following(2) });
        Assert.Equal(1UL, Tick(7 + 480 + 475).Following(2)); // deadline 47 wraps to the next period's 0 and 1
        Assert.Throws<ArgumentOutOfRangeException>(() => tick.Window(48));
    }

    [Fact]
    public void Declarations_run_from_two_windows_ahead_until_a_message_still_lands_before_the_cutoff()
    {
        var window = Tick(0).Window(5); // open 57, cutoff 51
        Assert.Equal((57L, 51L), (window.Open, window.FaultCutoff));
        Assert.False(window.DeclarationOpen(36, 2));
        Assert.True(window.DeclarationOpen(37, 2));
        Assert.True(window.DeclarationOpen(49, 2)); // lands at 50 < 51
        Assert.False(window.DeclarationOpen(50, 2)); // would land at the cutoff: refused on chain
        Assert.True(window.DeclarationOpen(27, 3));
    }

    [Fact]
    public void A_WindowPoSt_is_sent_from_the_open_epoch_while_it_still_lands_before_the_close()
    {
        var window = Tick(0).Window(5); // 57..67
        Assert.False(window.ProvingOpen(56));
        Assert.True(window.ProvingOpen(57));
        Assert.True(window.ProvingOpen(65)); // lands at 66, the window's last epoch
        Assert.False(window.ProvingOpen(66));
    }

    [Fact]
    public void Each_partition_goes_to_the_mining_silo_holding_most_of_its_sectors_else_the_fallback()
    {
        var partitions = new Dictionary<ulong, ulong[]> { [0] = [1, 2, 3], [1] = [4, 5], [2] = [6], [3] = [7] };
        var holders = new Dictionary<ulong, HashSet<string>>
        {
            [1] = ["b"], [2] = ["a", "b"], [3] = ["a"], // a: 2, b: 2 → the first name wins the tie
            [4] = ["b"], [5] = ["c"],                   // c holds one but is not a prover
            [6] = ["storage-only"],                      // held nowhere a prover can read it
        };

        var assigned = PartitionAssignment.Assign(partitions, holders, ["a", "b"], "home");

        Assert.Equal(new Dictionary<ulong, string> { [0] = "a", [1] = "b", [2] = "home", [3] = "home" }, assigned);
    }

    [Fact]
    public void WindowPoSt_messages_carry_one_silo_s_partitions_in_order_at_most_the_limit_each()
    {
        var assignment = new Dictionary<ulong, string> { [4] = "b", [0] = "a", [3] = "a", [1] = "a", [2] = "b", [5] = "a" };

        var batches = PartitionAssignment.Batches(assignment, 3);

        Assert.Equal([("a", new ulong[] { 0, 1, 3 }), ("a", new ulong[] { 5 }), ("b", new ulong[] { 2, 4 })],
            batches.Select(b => (b.Silo, b.Partitions)));
        Assert.Equal(6, PartitionAssignment.Batches(assignment, 1).Count);
        Assert.Empty(PartitionAssignment.Batches(new Dictionary<ulong, string>(), 3));
    }

    [Fact]
    public void The_WinningPoSt_challenge_is_one_of_the_eligible_sectors_and_depends_on_the_randomness()
    {
        ulong[] sectors = [9, 3, 5, 12];
        var picks = Enumerable.Range(0, 64).Select(i => WinningChallenge.Pick([.. Enumerable.Repeat((byte)i, 32)], 1000, sectors)).ToList();

        Assert.All(picks, p => Assert.Contains(p, sectors));
        Assert.True(picks.Distinct().Count() > 1);
        Assert.Equal(WinningChallenge.Pick(new byte[32], 1000, sectors), WinningChallenge.Pick(new byte[32], 1000, [12, 9, 5, 3]));
        Assert.Throws<ArgumentException>(() => WinningChallenge.Pick(new byte[32], 1000, []));
    }

    [Fact]
    public void Partitions_per_message_are_the_chain_maximum_unless_set_lower()
    {
        Assert.Equal(3, new ProvingOptions().PartitionsPerMessage);
        Assert.Equal(1, new ProvingOptions { MaxPartitionsPerPoStMessage = 1 }.PartitionsPerMessage);
        Assert.Equal(3, new ProvingOptions { MaxPartitionsPerPoStMessage = 7 }.PartitionsPerMessage);
    }
}
