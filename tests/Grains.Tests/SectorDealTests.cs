using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;
using Granary.Grains.Miner;
using Granary.Grains.Sectors;
using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Proofs.Seal;
using Microsoft.Extensions.DependencyInjection;
using SectorState = Granary.Grains.Sectors.SectorState;

namespace Granary.Grains.Tests;

/// <summary>
/// Deal pieces into sectors on the in-process cluster of <see cref="SectorCluster"/> (2 KiB sectors, the real seal engine,
/// a real devnet): deals published on the devnet by the test (market escrow, a client-signed proposal, PublishStorageDeals
/// from the miner's worker), their pieces placed by the miner's <see cref="IDealSectorPlannerGrain"/>, written into the
/// unsealed file, sealed, pre-committed with their deal ids and proven, which activates the deals on chain.
/// </summary>
public sealed class SectorDealTests : IAsyncLifetime
{
    private SectorCluster _sectors = null!;
    private string _staging = null!;

    private SectorDealPieces Pieces => new(_sectors, _staging, "sector deal test");

    public Task InitializeAsync()
    {
        _staging = Directory.CreateTempSubdirectory("granary-staging-").FullName;
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

    [Fact]
    public async Task Two_published_deals_fill_one_sector_that_seals_to_Proving_activates_both_and_holds_their_bytes()
    {
        _sectors = await SectorCluster.StartAsync(["Silo_1"], preCommitBatch: 1);
        await _sectors.AttachAsync("Silo_1", "seal", seal: true, store: false);
        await _sectors.AttachAsync("Silo_1", "store", seal: false, store: true);
        var planner = Planner();

        var a = await Pieces.StageAsync(1000, seed: 1);
        var b = await Pieces.StageAsync(700, seed: 2);
        var (deals, start, end) = await Pieces.PublishAsync(a, b);

        var first = await planner.AddPiece(SectorDealPieces.Request(deals[0], a, start, end));
        Assert.Equal(new PieceAssignment(0, new SectorId(_sectors.MinerId, 0).Name, 0), first);
        Assert.Equal(first, await planner.AddPiece(SectorDealPieces.Request(deals[0], a, start, end))); // idempotent per deal
        var waiting = await _sectors.WaitForAsync(0, s => s.State == SectorState.WaitDeals && s.Pieces.Any(p => p.Deal && p.DealId == deals[0]));
        Assert.Equal([SectorState.WaitDeals, SectorState.AddPiece, SectorState.WaitDeals], waiting.History.Select(h => h.State));

        // A piece larger than the miner's 2 KiB sectors is refused, takes no sector number and no assignment.
        var tooBig = SectorDealPieces.Request(999, a, start, end) with { PaddedSize = 4096 };
        var refused = await Assert.ThrowsAsync<SectorPlanningException>(() => planner.AddPiece(tooBig));
        Assert.Contains("cannot fit any sector", refused.Message, StringComparison.Ordinal);
        Assert.Contains("2KiB", refused.Message, StringComparison.Ordinal);
        Assert.Equal(new ulong[] { 0 }, await _sectors.Numbers.Numbers());

        // The second 1 KiB piece fills the sector: it seals.
        var second = await planner.AddPiece(SectorDealPieces.Request(deals[1], b, start, end));
        Assert.Equal(new PieceAssignment(0, first.SectorName, 1024), second);
        var done = await _sectors.WaitForAsync(0, s => s.State == SectorState.Proving);

        Assert.Equal(0, done.Failures);
        Assert.Equal([deals[0], deals[1]], done.Pieces.Where(p => p.Deal).Select(p => p.DealId));
        Assert.Equal(SectorState.Packing, done.History.First(h => h.State == SectorState.Packing).State);
        Assert.Contains(done.History, h => h.State == SectorState.Packing && h.Note.Contains("full", StringComparison.Ordinal));
        Assert.True(done.Expiration >= end);

        // CommD from the file is the deals' CommD; the chain took the pre-commit and activated both deals in the sector.
        var expected = SectorCommD.Compute(2048, [new PieceInfo(1024, a.CommP), new PieceInfo(1024, b.CommP)]);
        Assert.Equal(expected, done.CommD);
        var onChain = await _sectors.Devnet.StateSectorGetInfo(_sectors.Miner, 0, null);
        Assert.NotNull(onChain);
        Assert.Equal(deals, onChain.DealIds);
        foreach (var deal in deals)
        {
            var state = (await _sectors.Devnet.StateMarketStorageDeal(deal, null)).State;
            Assert.Equal(0UL, state.SectorNumber);
            Assert.True(state.SectorStartEpoch > 0, $"deal {deal} is not active");
        }

        // The unsealed copy is kept and holds each piece's bytes at its offset.
        var unsealed = _sectors.Storage("Silo_1").LocalFile(new SectorId(_sectors.MinerId, 0), SectorFileType.Unsealed)!;
        Assert.Equal(a.Bytes, PieceWriter.ReadPiece(unsealed, 0, 1024, a.Bytes.Length));
        Assert.Equal(b.Bytes, PieceWriter.ReadPiece(unsealed, 1024, 1024, b.Bytes.Length));

        // A deal placed before is answered the same after its sector sealed; the next deal opens sector 1.
        Assert.Equal(second, await planner.AddPiece(SectorDealPieces.Request(deals[1], b, start, end)));
        var c = await Pieces.StageAsync(300, seed: 7);
        var d = await Pieces.StageAsync(400, seed: 8);
        var (more, _, _) = await Pieces.PublishAsync(c, d);
        Assert.Equal(new PieceAssignment(1, new SectorId(_sectors.MinerId, 1).Name, 0), await planner.AddPiece(SectorDealPieces.Request(more[0], c, start, end)));

        // The operator removes the open sector: the next deal goes to a new one instead of failing.
        await _sectors.Sector(1).Remove();
        await _sectors.WaitForAsync(1, s => s.State == SectorState.Removed);
        Assert.Equal(new PieceAssignment(2, new SectorId(_sectors.MinerId, 2).Name, 0), await planner.AddPiece(SectorDealPieces.Request(more[1], d, start, end)));
        var open = await _sectors.WaitForAsync(2, s => s.State == SectorState.WaitDeals && s.Pieces.Any(p => p.Deal));
        Assert.Equal([more[1]], open.Pieces.Where(p => p.Deal).Select(p => p.DealId));
        Assert.Equal(new ulong[] { 0, 1, 2 }, await _sectors.Numbers.Numbers());
    }

    [Fact]
    public async Task A_sealing_silo_restart_in_WaitDeals_loses_nothing_and_the_sector_completes_with_the_next_deal()
    {
        _sectors = await SectorCluster.StartAsync(["Silo_1"], preCommitBatch: 1);
        await _sectors.AttachAsync("Silo_1", "seal", seal: true, store: true);
        var planner = Planner();
        var a = await Pieces.StageAsync(1016, seed: 3);
        var b = await Pieces.StageAsync(200, seed: 4);
        var (deals, start, end) = await Pieces.PublishAsync(a, b);

        var first = await planner.AddPiece(SectorDealPieces.Request(deals[0], a, start, end));
        await _sectors.WaitForAsync(0, s => s.State == SectorState.WaitDeals && s.Pieces.Any(p => p.Deal && p.DealId == deals[0]));

        await _sectors.Cluster.KillSiloAsync(_sectors.Silo("Silo_1"));
        var restarted = await _sectors.Cluster.StartSiloAsync(1, _sectors.Cluster.Options);
        _sectors.Started.Add(restarted);

        // Everything came back from storage: the assignment, the open sector and its written piece.
        Assert.Equal(first, await Retry(() => planner.AddPiece(SectorDealPieces.Request(deals[0], a, start, end))));
        var after = await _sectors.WaitForAsync(0, s => s.State == SectorState.WaitDeals);
        Assert.Equal([deals[0]], after.Pieces.Where(p => p.Deal).Select(p => p.DealId));

        var second = await planner.AddPiece(SectorDealPieces.Request(deals[1], b, start, end));
        Assert.Equal(new PieceAssignment(0, first.SectorName, 1024), second);
        var done = await _sectors.WaitForAsync(0, s => s.State == SectorState.Proving);
        Assert.Equal([deals[0], deals[1]], done.Pieces.Where(p => p.Deal).Select(p => p.DealId));
        Assert.Equal(SectorCommD.Compute(2048, [new PieceInfo(1024, a.CommP), new PieceInfo(1024, b.CommP)]), done.CommD);
        var storage = restarted.ServiceProvider.GetRequiredService<LocalStorage>();
        var unsealed = storage.LocalFile(new SectorId(_sectors.MinerId, 0), SectorFileType.Unsealed)!;
        Assert.Equal(a.Bytes, PieceWriter.ReadPiece(unsealed, 0, 1024, a.Bytes.Length));
        Assert.Equal(b.Bytes, PieceWriter.ReadPiece(unsealed, 1024, 1024, b.Bytes.Length));
        foreach (var deal in deals)
        {
            Assert.True((await _sectors.Devnet.StateMarketStorageDeal(deal, null)).State.SectorStartEpoch > 0, $"deal {deal} is not active");
        }

        Assert.Equal(new ulong[] { 0 }, await _sectors.Numbers.Numbers()); // no number taken twice, none skipped
        // The restarted silo has a new endpoint here, so its old scratch counts as lost: the pieces are written again.
        Assert.InRange(done.Restarts, 0, 1);
    }

    [Fact]
    public async Task Nonsense_and_no_storage_are_refused_and_a_part_empty_sector_seals_once_WaitDealsDelay_passes()
    {
        _sectors = await SectorCluster.StartAsync(["Silo_1"], preCommitBatch: 1);
        var planner = Planner();
        var a = await Pieces.StageAsync(500, seed: 5);
        var (deals, start, end) = await Pieces.PublishAsync(a);

        // No sealing storage yet: refused, no number taken. Requests that make no sense are refused before anything.
        var noRoom = await Assert.ThrowsAsync<SectorPlanningException>(() => planner.AddPiece(SectorDealPieces.Request(deals[0], a, start, end)));
        Assert.Contains("no sealing silo has a sealing storage path", noRoom.Message, StringComparison.Ordinal);
        var good = SectorDealPieces.Request(deals[0], a, start, end);
        foreach (var (bad, says) in new (DealPieceRequest, string)[]
        {
            (good with { PaddedSize = 1000 }, "is not a padded piece size"),
            (good with { PaddedSize = 64 }, "is not a padded piece size"),
            (good with { PieceCid = "bafkqaaa" }, "is not a piece CID"),
            (good with { PieceCid = "" }, "is not a piece CID"),
            (good with { PieceCid = "baga6ea4seaq" }, "is not a piece CID"),
            (good with { Source = good.Source with { Path = "relative/piece.car" } }, "absolute path"),
            (good with { Source = good.Source with { Length = 1017 } }, "do not fit a 1024-byte piece"),
            (good with { Source = good.Source with { Length = 0 } }, "do not fit a 1024-byte piece"),
            (good with { EndEpoch = start }, "before it starts"),
        })
        {
            var refused = await Assert.ThrowsAsync<SectorPlanningException>(() => planner.AddPiece(bad));
            Assert.Contains(says, refused.Message, StringComparison.Ordinal);
        }

        Assert.Empty(await _sectors.Numbers.Numbers());
        await _sectors.AttachAsync("Silo_1", "seal", seal: true, store: true);
        await WaitForSealingPathAsync();
        Options().WaitDealsDelay = TimeSpan.FromSeconds(1);

        // Half a sector: nothing fills it; WaitDealsDelay passes and it seals with a zero piece after its deal.
        Assert.Equal(0UL, (await planner.AddPiece(SectorDealPieces.Request(deals[0], a, start, end))).SectorNumber);
        var done = await _sectors.WaitForAsync(0, s => s.State == SectorState.Proving);
        Assert.Contains(done.History, h => h.State == SectorState.Packing && h.Note.Contains("WaitDealsDelay", StringComparison.Ordinal));
        Assert.Equal([true, false], done.Pieces.Select(p => p.Deal));
        Assert.Equal(SectorCommD.Compute(2048, [new PieceInfo(1024, a.CommP)]), done.CommD);
        Assert.True((await _sectors.Devnet.StateMarketStorageDeal(deals[0], null)).State.SectorStartEpoch > 0);
        Assert.Equal(new ulong[] { 0 }, await _sectors.Numbers.Numbers());
    }

    [Fact]
    public async Task A_sector_whose_deal_starts_within_the_sealing_buffer_seals_without_waiting_for_more_deals()
    {
        _sectors = await SectorCluster.StartAsync(["Silo_1"], preCommitBatch: 1);
        await _sectors.AttachAsync("Silo_1", "seal", seal: true, store: true);
        await WaitForSealingPathAsync();
        var b = await Pieces.StageAsync(900, seed: 6);
        var (deals, start, end) = await Pieces.PublishAsync(b);
        Options().DealStartBuffer = 1_000_000; // the deal (20 000 epochs ahead) counts as starting soon

        var placed = await Planner().AddPiece(SectorDealPieces.Request(deals[0], b, start, end));
        Assert.Equal(new PieceAssignment(0, new SectorId(_sectors.MinerId, 0).Name, 0), placed);
        var done = await _sectors.WaitForAsync(0, s => s.State == SectorState.Proving);
        Assert.Contains(done.History, h => h.State == SectorState.Packing && h.Note.Contains("a deal starts at epoch", StringComparison.Ordinal));
        Assert.True((await _sectors.Devnet.StateMarketStorageDeal(deals[0], null)).State.SectorStartEpoch > 0);
    }

    private SectorPipelineOptions Options() =>
        _sectors.Cluster.GetSiloServiceProvider(_sectors.Silo("Silo_1").SiloAddress).GetRequiredService<SectorPipelineOptions>();

    [Fact]
    public void WaitDealsDelay_is_read_from_the_Sealing_section_with_lotus_durations_and_refused_out_of_range()
    {
        Assert.Equal(TimeSpan.FromHours(1), Granary.Silo.Configuration.ConfigLoader.Parse("").Sealing.Pipeline.WaitDealsDelay);
        Assert.Equal(TimeSpan.FromHours(1), Granary.Silo.Configuration.ConfigLoader.Parse(Granary.Silo.Configuration.DefaultConfigText.Text).Sealing.Pipeline.WaitDealsDelay);
        var config = Granary.Silo.Configuration.ConfigLoader.Parse("[Sealing]\nWaitDealsDelay = \"6h30m\"\n");
        Assert.Equal(TimeSpan.FromMinutes(390), config.Sealing.Pipeline.WaitDealsDelay);
        Assert.Equal(TimeSpan.FromMinutes(390), config.Sealing.Pipeline.ToOptions(4).WaitDealsDelay);
        foreach (var (text, says) in new[]
        {
            ("[Sealing]\nWaitDealsDelay = \"500ms\"\n", "must be from 1s to 720h"),
            ("[Sealing]\nWaitDealsDelay = \"721h\"\n", "must be from 1s to 720h"),
            ("[Sealing]\nWaitDealsDelay = \"soon\"\n", "is not a duration"),
            ("[Sealing]\nWaitDealsDelay = 60\n", "expected a string"),
            ("[Sealing]\nWaitDealsDelay = \"\"\n", "WaitDealsDelay"),
        })
        {
            var error = Assert.Throws<Granary.Silo.Configuration.ConfigException>(() => Granary.Silo.Configuration.ConfigLoader.Parse(text));
            var problems = string.Join("\n", error.Problems.Select(p => p.ToString()));
            Assert.Contains(says, problems, StringComparison.Ordinal);
            Assert.Contains("WaitDealsDelay", problems, StringComparison.Ordinal);
        }
    }

    // The index lists a path once its silo's heartbeat reported it.
    private async Task WaitForSealingPathAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await _sectors.Client.GetGrain<ISectorIndexGrain>(0).BestAllocation(SectorFileType.Unsealed, PathType.Sealing, 2048)).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the sealing path never showed up in the sector index");
            await Task.Delay(50); // polling the index, not standing in for work
        }
    }

    private IDealSectorPlannerGrain Planner() => _sectors.Client.GetGrain<IDealSectorPlannerGrain>(_sectors.Miner.ToString());

    // A call right after a silo came back may meet the old silo's directory entries; asking again is what a caller does.
    private static async Task<T> Retry<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (DateTime.UtcNow < deadline && e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException)
            {
                await Task.Delay(100); // polling for the cluster to settle, not standing in for work
            }
        }
    }
}
