using Granary.Chain.Model;

namespace Granary.Chain.Tests;

public sealed class BitFieldTests
{
    [Fact]
    public void Runs_alternate_starting_with_zeros_as_lotus_json_writes_them()
    {
        // go-bitfield's JSON form: {0,1,2} = [0,3]; {2,3,7} = [2,2,3,1].
        Assert.Equal([0UL, 3], new BitField([0, 1, 2]).ToRuns());
        Assert.Equal([2UL, 2, 3, 1], new BitField([7, 2, 3]).ToRuns());
        Assert.Empty(BitField.Empty.ToRuns());
        Assert.Equal(new BitField([2, 3, 7]), BitField.FromRuns([2, 2, 3, 1]));
    }

    [Fact]
    public void Oversized_and_overflowing_runs_are_refused()
    {
        Assert.Throws<FormatException>(() => BitField.FromRuns([0, 100], maxMembers: 10));
        Assert.Throws<FormatException>(() => BitField.FromRuns([ulong.MaxValue, 2]));
    }

    [Fact]
    public void Set_operations()
    {
        var a = new BitField([1, 2, 3]);
        var b = new BitField([3, 4]);
        Assert.Equal(new BitField([1, 2, 3, 4]), a.Union(b));
        Assert.Equal(new BitField([1, 2]), a.Except(b));
        Assert.Equal(new BitField([3]), a.Intersect(b));
    }
}
