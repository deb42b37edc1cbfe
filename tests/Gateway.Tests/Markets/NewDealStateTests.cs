using Granary.Filecoin.Tokens;
using Granary.Gateway.Wire;
using Granary.Grains.Deals;
using Orleans.Core.Internal;

namespace Granary.Gateway.Tests.Markets;

/// <summary>
/// The gateway declares each proposal's deal grain new (<see cref="Grains.NewStateHint"/>), so the grain activates without
/// reading its state from the database. Checked here against real SQLite grain storage: a new deal costs no read; a
/// reused UUID whose grain was deactivated is caught at the first write (insert only where no row exists) and answered
/// from what is stored, leaving the stored deal and the directory's ledger and listing as they were.
/// </summary>
public sealed class NewDealStateTests(MarketsCluster cluster) : IClassFixture<MarketsCluster>
{
    [Fact]
    public async Task A_new_proposal_is_accepted_and_stored_without_reading_its_deal_grain()
    {
        var deal = await cluster.DealAsync(offline: true);
        var grain = cluster.Grains.GetGrain<IDealGrain>(deal.DealUuid);
        Assert.True((await cluster.ProposeAsync(cluster.GatewayA, deal)).Accepted);
        Assert.Equal(0, CountingGrainStorage.Reads.GetValueOrDefault(grain.GetGrainId()));
        Assert.Equal(0, CountingGrainStorage.RefusedWrites.GetValueOrDefault(grain.GetGrainId()));

        // A fresh activation that was not declared new reads the stored deal.
        await DeactivateAsync(grain);
        var status = await grain.GetStatus();
        Assert.Equal(DealCheckpoint.Accepted, status!.Summary.Checkpoint);
        Assert.Equal(1, CountingGrainStorage.Reads.GetValueOrDefault(grain.GetGrainId()));
    }

    [Fact]
    public async Task A_reused_UUID_whose_grain_was_deactivated_is_answered_from_the_stored_deal_and_changes_nothing()
    {
        var deal = await cluster.DealAsync(offline: true);
        var grain = cluster.Grains.GetGrain<IDealGrain>(deal.DealUuid);
        var directory = cluster.Grains.GetGrain<IDealDirectoryGrain>(cluster.Miner);
        Assert.True((await cluster.ProposeAsync(cluster.GatewayA, deal)).Accepted);
        var ledger = await directory.Describe();

        // The same proposal again, through the other gateway, to a fresh activation that skipped its read: accepted as before.
        await DeactivateAsync(grain);
        Assert.Equal(new DealResponse(true, ""), await cluster.ProposeAsync(cluster.GatewayB, deal));
        Assert.Equal(1, CountingGrainStorage.RefusedWrites.GetValueOrDefault(grain.GetGrainId()));

        // Another proposal under its UUID, again to a fresh activation: refused as a duplicate.
        await DeactivateAsync(grain);
        var other = await cluster.DealAsync(uuid: deal.DealUuid, offline: true, change: p => p with { StoragePricePerEpoch = new TokenAmount(101) });
        var refused = await cluster.ProposeAsync(cluster.GatewayA, other);
        Assert.Equal($"deal {deal.DealUuid} already exists: a deal with this UUID and a different proposal was accepted earlier", refused.Message);
        Assert.Equal(2, CountingGrainStorage.RefusedWrites.GetValueOrDefault(grain.GetGrainId()));

        var status = (await grain.GetStatus())!;
        Assert.Equal(Convert.ToHexString(deal.ClientDealProposal.ToCbor()), Convert.ToHexString(status.Deal.ClientDealProposal));
        Assert.Single(status.History);
        var after = await directory.Describe();
        Assert.Equal((ledger.StagingBytesReserved, ledger.Transfers, ledger.Reservations), (after.StagingBytesReserved, after.Transfers, after.Reservations));
        Assert.Single(await directory.List(0, 10_000), d => d.DealUuid == deal.DealUuid);
    }

    [Fact]
    public async Task A_reused_UUID_of_a_deal_past_AddedPiece_takes_no_new_reservation_and_keeps_its_listing()
    {
        var deal = await cluster.DealAsync(offline: true);
        var grain = cluster.Grains.GetGrain<IDealGrain>(deal.DealUuid);
        var directory = cluster.Grains.GetGrain<IDealDirectoryGrain>(cluster.Miner);
        Assert.True((await cluster.ProposeAsync(cluster.GatewayA, deal)).Accepted);
        await grain.RecordProgress(new DealProgress(DealCheckpoint.Transferred, "imported", NBytesReceived: 2000));
        await grain.RecordProgress(new DealProgress(DealCheckpoint.PublishConfirmed, PublishCid: Filecoin.Cbor.DagCbor.CidOf([9]).ToString(), ChainDealId: 77));
        await grain.RecordProgress(new DealProgress(DealCheckpoint.AddedPiece, SectorNumber: 3, SealingStatus: "PreCommit1"));
        var ledger = await directory.Describe(); // its staging bytes given back

        await DeactivateAsync(grain);
        var other = await cluster.DealAsync(uuid: deal.DealUuid, offline: true, change: p => p with { StoragePricePerEpoch = new TokenAmount(102) });
        var refused = await cluster.ProposeAsync(cluster.GatewayB, other);
        Assert.Equal($"deal {deal.DealUuid} already exists: a deal with this UUID and a different proposal was accepted earlier", refused.Message);
        Assert.Equal(1, CountingGrainStorage.RefusedWrites.GetValueOrDefault(grain.GetGrainId()));

        var after = await directory.Describe();
        Assert.Equal((ledger.StagingBytesReserved, ledger.Transfers, ledger.Reservations), (after.StagingBytesReserved, after.Transfers, after.Reservations));
        var listed = Assert.Single(await directory.List(0, 10_000), d => d.DealUuid == deal.DealUuid);
        Assert.Equal((DealCheckpoint.AddedPiece, new System.Numerics.BigInteger(100)), (listed.Checkpoint, listed.PricePerEpoch));
        Assert.Equal(DealCheckpoint.AddedPiece, (await grain.GetStatus())!.Summary.Checkpoint);
        await grain.Fail("test: done");
    }

    // Deactivates the deal grain (as a silo restart or idle collection would) and waits until no activation of it is left.
    private async Task DeactivateAsync(IDealGrain grain)
    {
        var management = cluster.Grains.GetGrain<IManagementGrain>(0);
        await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await management.GetDetailedGrainStatistics()).Any(a => a.GrainId == grain.GetGrainId()))
        {
            await Task.Delay(20, timeout.Token); // polling the silos for the old activation to be gone
        }
    }
}
