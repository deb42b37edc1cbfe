using Granary.Chain.Devnet.Mining;
using static Granary.Chain.Tests.MiningTests;

namespace Granary.Chain.Tests;

public sealed class MiningAssignmentTests
{
    [Fact]
    public void Sectors_fill_a_partition_then_move_to_the_next_deadline_with_stub_proofs()
    {
        var state = NewMiner();
        Commit(state, 100, 1, 2, 3, 4, 5); // proven at 111: deadlines 11 (open) and 12 (next) cannot take sectors

        var placed = Enumerable.Range(1, 5).Select(n => state.Location((ulong)n)!.Value).ToList();

        Assert.Equal([(0UL, 0UL), (0UL, 0UL), (1UL, 0UL), (1UL, 0UL), (2UL, 0UL)], placed);
        Assert.All(Enumerable.Range(0, 48), d => Assert.All(state.Partitions((ulong)d), p => Assert.True(p.AllSectors.Count <= 2)));
    }

    [Fact]
    public void The_open_and_the_next_deadline_never_get_new_sectors_with_stub_proofs()
    {
        var state = NewMiner();
        var proveEpoch = Commit(state, 474, 1, 2, 3, 4, 5, 6); // proven at 485: deadline 0 is open, 1 is next

        Assert.Equal(0UL, state.ProvingDeadline(proveEpoch, Policy).Index);
        Assert.Empty(state.Partitions(0));
        Assert.Empty(state.Partitions(1));
        Assert.Equal([2UL, 3UL, 4UL], Enumerable.Range(1, 6).Select(n => state.Location((ulong)n)!.Value.Deadline).Distinct());
    }

    [Fact]
    public void Once_every_deadline_has_a_full_partition_a_second_partition_opens_with_stub_proofs()
    {
        var state = NewMiner();
        var count = (2 * 46) + 1; // 46 mutable deadlines of one 2-sector partition each, then one more
        Commit(state, 100, [.. Enumerable.Range(1, count).Select(n => PreCommitInfo((ulong)n, 100))]);

        var deadlines = Enumerable.Range(0, 48).Select(d => state.Partitions((ulong)d)).ToList();

        Assert.Equal(46, deadlines.Count(d => d.Count > 0));
        Assert.All(deadlines.SelectMany(d => d), p => Assert.InRange(p.AllSectors.Count, 1, 2));
        var twice = Assert.Single(deadlines, d => d.Count == 2);
        Assert.Equal(1, twice[1].AllSectors.Count);
        Assert.Equal(0, deadlines.IndexOf(twice)); // ties go to the lowest index
    }

    [Fact]
    public void Later_commits_prefer_an_open_partition_over_an_empty_deadline_with_stub_proofs()
    {
        var state = NewMiner();
        Commit(state, 100, 1);
        Commit(state, 200, 2);
        Commit(state, 300, 3);

        Assert.Equal(state.Location(1)!.Value.Deadline, state.Location(2)!.Value.Deadline);
        Assert.NotEqual(state.Location(1)!.Value.Deadline, state.Location(3)!.Value.Deadline);
    }
}
