using Granary.Grains.Deals;

namespace Granary.Gateway.Tests;

/// <summary>Which sector states let a deal's staged copy go (<see cref="DealGrain.PastPacking"/>).</summary>
public sealed class DealFlowSectorStateTests
{
    [Theory]
    [InlineData("WaitDeals", false)]
    [InlineData("AddPiece", false)]
    [InlineData("Packing", false)]
    [InlineData("GetTicket", true)]
    [InlineData("PreCommit1", true)]
    [InlineData("Proving", true)]
    [InlineData("SealPreCommit1Failed", false)]
    [InlineData("Removed", false)]
    [InlineData("", false)]
    [InlineData("proving", false)]
    public void Staging_goes_only_once_the_sector_is_past_Packing_on_its_way_to_Proving(string state, bool past) =>
        Assert.Equal(past, DealGrain.PastPacking(state));
}
