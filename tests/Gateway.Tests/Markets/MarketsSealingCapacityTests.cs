using Granary.Gateway.Wire;
using Granary.Grains.Deals;
using Granary.Grains.Sectors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Tests.Markets;

/// <summary>
/// "Sealing capacity full" through the wire (mk/1.2.1 over libp2p, both gateways of <see cref="MarketsCluster"/>) with
/// <c>[Dealmaking] MaxSealingSectorsForDeals</c> set: this cluster has no sealing silo, so first the planner's count is
/// unknown and nothing is refused on it; then the test sends the directory the reports a deal-sector planner sends
/// (<see cref="IDealDirectoryGrain.SealingChanged"/>), and proposals that would need more sectors than the limit are refused
/// with the reason, on either gateway, recording nothing. (The planner's own reports, from a real sealing pipeline, are
/// covered by <see cref="DealFlowSealingCapacityTests"/>.) Beside it, the staging limit through the wire.
/// </summary>
public sealed class MarketsSealingCapacityTests(MarketsCluster cluster) : IClassFixture<MarketsCluster>
{
    [Fact]
    public async Task Proposals_over_the_sealing_limit_are_refused_with_the_reason_on_both_gateways()
    {
        var directory = cluster.Grains.GetGrain<IDealDirectoryGrain>(cluster.Miner);
        var taken = new List<Guid>();
        try
        {
            // No sealing silo has answered: the count is unknown, so the limit refuses nothing.
            Limit(2);
            var unknown = await cluster.DealAsync(offline: true);
            Assert.Equal(new DealResponse(true, ""), await cluster.ProposeAsync(cluster.GatewayA, unknown));
            taken.Add(unknown.DealUuid);
            Assert.False((await directory.DescribeSealing()).Known);
            await cluster.Grains.GetGrain<IDealGrain>(unknown.DealUuid).Fail("test: done with it");

            // Two sectors sealing: a 2 KiB deal needs a third.
            await ReportAsync(directory, new DealSealingLoad(1_000, 2, 0, 2048));
            foreach (var gateway in new[] { cluster.GatewayA, cluster.GatewayB })
            {
                var deal = await cluster.DealAsync(offline: true);
                var refused = await cluster.ProposeAsync(gateway, deal);
                Assert.Equal(new DealResponse(false, "sealing capacity full: 2 sectors are sealing for deals and 1 more is needed for the deals waiting "
                    + "for a sector, this one included; the limit is 2 (MaxSealingSectorsForDeals); try again later"), refused);
                Assert.Null(await cluster.Grains.GetGrain<IDealGrain>(deal.DealUuid).GetStatus());
            }

            // One sealing: one deal fits; the next would need a third sector (its own and the waiting one's).
            await ReportAsync(directory, new DealSealingLoad(1_001, 1, 0, 2048));
            var fits = await cluster.DealAsync(offline: true);
            Assert.Equal(new DealResponse(true, ""), await cluster.ProposeAsync(cluster.GatewayB, fits));
            taken.Add(fits.DealUuid);
            var over = await cluster.ProposeAsync(cluster.GatewayA, await cluster.DealAsync(offline: true));
            Assert.Equal("sealing capacity full: 1 sector is sealing for deals and 2 more are needed for the deals waiting for a sector, "
                + "this one included; the limit is 2 (MaxSealingSectorsForDeals); try again later", over.Message);
            Assert.Equal(new DealSealingBacklog(true, 1, 0, 2048, 2048, 1, 1_001), await directory.DescribeSealing());

            // An older report (overtaken on the way) changes nothing; room in the open sector counts.
            directory.SealingChanged(new DealSealingLoad(999, 0, 0, 2048)).Ignore();
            Assert.False((await cluster.ProposeAsync(cluster.GatewayA, await cluster.DealAsync(offline: true))).Accepted);
            Assert.Equal(1_001, (await directory.DescribeSealing()).Version);
            await ReportAsync(directory, new DealSealingLoad(1_002, 1, 2048, 2048));
            var inOpen = await cluster.DealAsync(offline: true);
            Assert.Equal(new DealResponse(true, ""), await cluster.ProposeAsync(cluster.GatewayA, inOpen));
            taken.Add(inOpen.DealUuid);

            // A deal given up releases what it needed; without a limit nothing is refused on sealing.
            await cluster.Grains.GetGrain<IDealGrain>(fits.DealUuid).Fail("test: the client gave up");
            Assert.Equal((2048L, 0), await Waiting(directory));
            Limit(0);
            await ReportAsync(directory, new DealSealingLoad(1_003, 50, 0, 2048));
            var unlimited = await cluster.DealAsync(offline: true);
            Assert.Equal(new DealResponse(true, ""), await cluster.ProposeAsync(cluster.GatewayB, unlimited));
            taken.Add(unlimited.DealUuid);
        }
        finally
        {
            Limit(0);
            await ReportAsync(directory, new DealSealingLoad(1_000_000, 0, 0, 2048));
            foreach (var uuid in taken)
            {
                try
                {
                    await cluster.Grains.GetGrain<IDealGrain>(uuid).Fail("test: releasing it");
                }
                catch (DealmakingException)
                {
                    // already failed
                }
            }
        }
    }

    [Fact]
    public async Task A_proposal_over_the_staging_limit_is_refused_with_the_reason_through_the_wire()
    {
        var directory = cluster.Grains.GetGrain<IDealDirectoryGrain>(cluster.Miner);
        var before = (await directory.Describe()).StagingBytesReserved;
        var taken = new List<Guid>();
        try
        {
            // Room for one more offline 2 KiB-piece deal (it reserves the piece's 2032 unpadded bytes), not two.
            StagingLimit(before + 2032);
            var fits = await cluster.DealAsync(offline: true);
            Assert.Equal(new DealResponse(true, ""), await cluster.ProposeAsync(cluster.GatewayA, fits));
            taken.Add(fits.DealUuid);
            var over = await cluster.DealAsync(offline: true);
            Assert.Equal(new DealResponse(false, $"cannot accept a deal of 2032 bytes on top of the {before + 2032} bytes already staged for other "
                + $"deals: it would exceed the staging limit of {before + 2032} bytes (MaxStagingBytes); try again later"),
                await cluster.ProposeAsync(cluster.GatewayB, over));
            Assert.Null(await cluster.Grains.GetGrain<IDealGrain>(over.DealUuid).GetStatus());
        }
        finally
        {
            StagingLimit(1L << 30);
            foreach (var uuid in taken)
            {
                await cluster.Grains.GetGrain<IDealGrain>(uuid).Fail("test: releasing it");
            }
        }
    }

    private static async Task<(long Bytes, int Sectors)> Waiting(IDealDirectoryGrain directory)
    {
        var backlog = await directory.DescribeSealing();
        return (backlog.WaitingPieceBytes, backlog.SectorsNeeded);
    }

    // Sends the report as the planner does (one-way) and waits until the directory holds it.
    private static async Task ReportAsync(IDealDirectoryGrain directory, DealSealingLoad load)
    {
        await directory.SealingChanged(load);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10);
        while ((await directory.DescribeSealing()).Version != load.Version)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"the directory did not take {load}");
            await Task.Delay(20);
        }
    }

    private void StagingLimit(long bytes)
    {
        foreach (var silo in cluster.Cluster.Silos.Where(s => s.Name is "Silo_0" or "Silo_1"))
        {
            silo.ServiceProvider.GetRequiredService<IOptions<DealmakingOptions>>().Value.MaxStagingBytes = bytes;
        }
    }

    private void Limit(int sectors)
    {
        foreach (var silo in cluster.Cluster.Silos.Where(s => s.Name is "Silo_0" or "Silo_1"))
        {
            silo.ServiceProvider.GetRequiredService<IOptions<DealmakingOptions>>().Value.MaxSealingSectorsForDeals = sectors;
        }
    }
}
