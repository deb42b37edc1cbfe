using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;
using Granary.Grains.Miner;
using Granary.Grains.Sectors;
using SectorState = Granary.Grains.Sectors.SectorState;

namespace Granary.Grains.Tests;

/// <summary>
/// The deal-sector planner's count of sectors sealing for deals (<see cref="IDealSectorPlannerGrain.SealingLoad"/>, what
/// <c>[Dealmaking] MaxSealingSectorsForDeals</c> is decided on), on the sealing cluster of <see cref="SectorCluster"/> (2 KiB
/// sectors, the real seal engine, a devnet, no markets silo): a sector counts from when it is opened, with its free room;
/// the operator removing it drops it (the sector tells the planner); a sector filled and sealed counts until it is
/// <c>Proving</c>, when its opened→Proving time is measured; every change raises the version. Run twice: with the planner
/// named as deals and sectors name it (<c>t0…</c>), where each sector tells it of its leaving; and named <c>f0…</c>, which
/// the sectors' notices do not reach (as when one is lost), so it learns by asking its sectors on its reminder.
/// </summary>
public sealed class DealSectorPlannerLoadTests : IAsyncLifetime
{
    private SectorCluster _sectors = null!;
    private string _staging = null!;

    private SectorDealPieces Pieces => new(_sectors, _staging, "planner load test");

    public Task InitializeAsync()
    {
        _staging = Directory.CreateTempSubdirectory("granary-planner-load-").FullName;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_sectors is not null)
        {
            await _sectors.DisposeAsync();
        }

        Directory.Delete(_staging, recursive: true);
    }

    [Theory]
    [InlineData('t')]
    [InlineData('f')]
    public async Task Sectors_count_from_opened_until_Proving_or_removed_and_their_seal_time_is_measured(char network)
    {
        _sectors = await SectorCluster.StartAsync(["Silo_1"], preCommitBatch: 1);
        await _sectors.AttachAsync("Silo_1", "seal", seal: true, store: true);
        var planner = _sectors.Client.GetGrain<IDealSectorPlannerGrain>(_sectors.Miner.ToString(network));
        var before = await planner.SealingLoad();
        Assert.Equal((0, 0L, 2048L, TimeSpan.Zero), (before.SealingSectors, before.OpenSectorFreeBytes, before.SectorSize, before.MeasuredSealDuration));

        var a = await Pieces.StageAsync(1000, seed: 11);
        var b = await Pieces.StageAsync(700, seed: 12);
        var c = await Pieces.StageAsync(300, seed: 13);
        var (deals, start, end) = await Pieces.PublishAsync(a, b, c);

        // Opened with its first 1 KiB piece: one sector, 1 KiB free.
        Assert.Equal(0UL, (await planner.AddPiece(SectorDealPieces.Request(deals[0], a, start, end))).SectorNumber);
        var open = await planner.SealingLoad();
        Assert.Equal((1, 1024L), (open.SealingSectors, open.OpenSectorFreeBytes));
        Assert.True(open.Version > before.Version);

        // The operator removes it: the planner stops counting it (told by the sector, or finding out on its reminder).
        await _sectors.Sector(0).Remove();
        await _sectors.WaitForAsync(0, s => s.State == SectorState.Removed);
        var removed = await WaitForLoadAsync(planner, l => l.SealingSectors == 0, "sector 0 no longer counted");
        Assert.Equal(0L, removed.OpenSectorFreeBytes);
        Assert.True(removed.Version > open.Version);

        // The next deal opens sector 1; a second fills it and it seals; it counts until Proving, then its time is measured.
        Assert.Equal(1UL, (await planner.AddPiece(SectorDealPieces.Request(deals[1], b, start, end))).SectorNumber);
        Assert.Equal((1, 1024L), Counts(await planner.SealingLoad()));
        Assert.Equal(1UL, (await planner.AddPiece(SectorDealPieces.Request(deals[2], c, start, end))).SectorNumber);
        Assert.Equal((1, 0L), Counts(await planner.SealingLoad()));
        var proving = await _sectors.WaitForAsync(1, s => s.State == SectorState.Proving);
        var done = await WaitForLoadAsync(planner, l => l.SealingSectors == 0, "sector 1 no longer counted once Proving");
        var took = proving.History.Last(h => h.State == SectorState.Proving).Entered - proving.History.First(h => h.State == SectorState.WaitDeals).Entered;
        Assert.InRange(done.MeasuredSealDuration, took - TimeSpan.FromSeconds(2), took + TimeSpan.FromSeconds(2));
        Assert.True(done.MeasuredSealDuration > TimeSpan.Zero);

        // The same count after the planner is read again from storage.
        await _sectors.Cluster.DeactivateAsync(planner);
        Assert.Equal(done, await planner.SealingLoad());
    }

    private static (int Sealing, long Free) Counts(DealSealingLoad load) => (load.SealingSectors, load.OpenSectorFreeBytes);

    private static async Task<DealSealingLoad> WaitForLoadAsync(IDealSectorPlannerGrain planner, Func<DealSealingLoad, bool> done, string what)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var load = await planner.SealingLoad();
            if (done(load))
            {
                return load;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"{what}: still {load}");
            await Task.Delay(50); // polling for the sector's one-way notice, not standing in for work
        }
    }
}
