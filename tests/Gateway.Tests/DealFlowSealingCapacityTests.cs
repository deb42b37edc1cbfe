using System.Security.Cryptography;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Car;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;
using Granary.Grains.Deals;
using Granary.Grains.Sectors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SectorState = Granary.Grains.Sectors.SectorState;

namespace Granary.Gateway.Tests;

/// <summary>
/// <c>[Dealmaking] MaxSealingSectorsForDeals = 1</c> on the deal flow with a sealing silo (<see cref="DealFlowCluster"/>,
/// 2 KiB sectors, the real seal engine): the sector a deal opens counts from <c>WaitDeals</c>; a deal that needs a second
/// sector is refused with the reason while the first is open or sealing, also after every silo restarted (the deal
/// directory reads the planner's count when it activates); a deal that fits the open sector's free space is accepted and
/// fills it; once the sector reaches <c>Proving</c> the refused deal is accepted, and the sector's measured
/// <c>WaitDeals</c>→<c>Proving</c> time, being longer than <c>ExpectedSealDuration</c>, refuses a deal starting sooner.
/// </summary>
public sealed class DealFlowSealingCapacityTests : IAsyncLifetime
{
    private const string Full = "sealing capacity full: 1 sector is sealing for deals and 1 more is needed for the deals waiting for a sector, "
        + "this one included; the limit is 1 (MaxSealingSectorsForDeals); try again later";

    private readonly string _directory = Directory.CreateTempSubdirectory("granary-deal-capacity-").FullName;
    private DealFlowCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await DealFlowCluster.StartAsync(_directory, batchSize: 1, period: TimeSpan.FromSeconds(1), sealing: true);
        _cluster.StartTicking();
        Limit(1);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_deal_needing_a_second_sector_is_refused_while_the_first_is_open_or_sealing_even_after_a_restart_and_taken_once_it_is_Proving()
    {
        await _cluster.AttachStorageAsync();
        var directory = _cluster.Grains.GetGrain<IDealDirectoryGrain>(_cluster.Miner);

        // Half a sector: accepted (0 sealing, 1 needed), placed in a new sector that waits in WaitDeals for more.
        var (halfCar, _) = await CarAsync(1, 800);
        var half = await ProposeAsync(halfCar, 1024);
        Assert.True(half.Decision.Accepted, half.Decision.Message);
        await _cluster.ImportAsync(half.Uuid, halfCar);
        var placed = await _cluster.WaitForAsync(half.Uuid, s => s.Summary.Checkpoint >= DealCheckpoint.AddedPiece, "AddedPiece", TimeSpan.FromSeconds(60));
        Assert.Equal("", placed.Summary.Error);
        var number = placed.SectorNumber!.Value;
        var open = await WaitForBacklogAsync(directory, b => b is { SealingSectors: 1, OpenSectorFreeBytes: 1024, WaitingPieceBytes: 0 }, "the open sector");
        Assert.Equal((true, 2048L, 0), (open.Known, open.SectorSize, open.SectorsNeeded));

        // A whole sector's deal does not fit the open sector's 1 KiB: it needs a second sector, over the limit. Nothing is recorded.
        var (wholeCar, _) = await CarAsync(2, 800);
        var refused = await ProposeAsync(wholeCar, 2048);
        Assert.Equal((false, Full), (refused.Decision.Accepted, refused.Decision.Message));
        Assert.Null(await _cluster.StatusAsync(refused.Uuid));

        // Every silo restarts: the new directory activation reads the planner's count before it decides.
        await _cluster.RestartAsync();
        Limit(1);
        directory = _cluster.Grains.GetGrain<IDealDirectoryGrain>(_cluster.Miner); // through the new cluster's client
        var again = await ProposeAsync(wholeCar, 2048, refused.Signed);
        Assert.Equal((false, Full), (again.Decision.Accepted, again.Decision.Message));
        Assert.Equal((true, 1, 1024L), await Backlog(directory));

        // Another half sector fits the open sector: accepted; it fills the sector, which seals.
        var (otherCar, _) = await CarAsync(1, 900);
        var other = await ProposeAsync(otherCar, 1024);
        Assert.True(other.Decision.Accepted, other.Decision.Message);
        await _cluster.ImportAsync(other.Uuid, otherCar);
        var filled = await _cluster.WaitForAsync(other.Uuid, s => s.Summary.Checkpoint >= DealCheckpoint.AddedPiece, "AddedPiece", TimeSpan.FromSeconds(60));
        Assert.Equal(number, filled.SectorNumber);
        await WaitForBacklogAsync(directory, b => b is { SealingSectors: 1, OpenSectorFreeBytes: 0, WaitingPieceBytes: 0 }, "the full sector sealing");
        var sealing = await _cluster.Sector(number).Status();
        Assert.NotEqual(SectorState.Proving, sealing!.State);

        // While it seals the whole sector's deal is still refused; once it is Proving (the sector tells the planner, the
        // planner the directory) it is accepted.
        var whileSealing = await ProposeAsync(wholeCar, 2048, refused.Signed);
        Assert.Equal((false, Full), (whileSealing.Decision.Accepted, whileSealing.Decision.Message));
        await WaitForAsync(async () => (await _cluster.Sector(number).Status())?.State == SectorState.Proving, $"sector {number} at Proving",
            TimeSpan.FromSeconds(120));
        var backlog = await WaitForBacklogAsync(directory, b => b.SealingSectors == 0, "no sector sealing");
        Assert.Equal((0L, 0L, 0), (backlog.OpenSectorFreeBytes, backlog.WaitingPieceBytes, backlog.SectorsNeeded));

        // The sector took its time from WaitDeals to Proving (the planner measured it): with an ExpectedSealDuration shorter
        // than that, a deal starting within the measured time is refused, though the configured estimate would pass it.
        var proving = (await _cluster.Sector(number).Status())!;
        var took = proving.History.Last(h => h.State == SectorState.Proving).Entered - proving.History.First(h => h.State == SectorState.WaitDeals).Entered;
        Assert.InRange(backlog.MeasuredSealDuration, took - TimeSpan.FromSeconds(2), took + TimeSpan.FromSeconds(2));
        Assert.True(backlog.MeasuredSealDuration > TimeSpan.FromSeconds(3), $"the sector sealed in {backlog.MeasuredSealDuration}");
        var options = _cluster.SiloServices("Silo_0").GetRequiredService<IOptions<DealmakingOptions>>().Value;
        (options.BlockDelay, options.ExpectedSealDuration) = (TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(1)); // 50 epochs
        var tooSoon = await ProposeAsync(wholeCar, 2048, startIn: 120); // 2.4 s of 20 ms epochs ahead: past the buffer and the estimate
        Assert.False(tooSoon.Decision.Accepted);
        Assert.StartsWith("cannot seal the deal in time: recent deal sectors took up to ", tooSoon.Decision.Message, StringComparison.Ordinal);
        Assert.Contains("from WaitDeals to Proving (longer than ExpectedSealDuration, 00:00:01)", tooSoon.Decision.Message, StringComparison.Ordinal);
        Assert.Null(await _cluster.StatusAsync(tooSoon.Uuid));
        var accepted = await ProposeAsync(wholeCar, 2048, refused.Signed);
        Assert.True(accepted.Decision.Accepted, accepted.Decision.Message);
        var after = await directory.DescribeSealing();
        Assert.Equal((0, 2048L, 1), (after.SealingSectors, after.WaitingPieceBytes, after.SectorsNeeded));
    }

    // Sets MaxSealingSectorsForDeals on the markets silo (the deal grains read the options object per proposal).
    private void Limit(int sectors) =>
        _cluster.SiloServices("Silo_0").GetRequiredService<IOptions<DealmakingOptions>>().Value.MaxSealingSectorsForDeals = sectors;

    private static async Task<(bool Known, int Sealing, long Free)> Backlog(IDealDirectoryGrain directory)
    {
        var b = await directory.DescribeSealing();
        return (b.Known, b.SealingSectors, b.OpenSectorFreeBytes);
    }

    private static async Task<DealSealingBacklog> WaitForBacklogAsync(IDealDirectoryGrain directory, Func<DealSealingBacklog, bool> done, string what)
    {
        DealSealingBacklog last = null!;
        await WaitForAsync(async () => done(last = await directory.DescribeSealing()), what, TimeSpan.FromSeconds(30), () => $"{last}");
        return last;
    }

    private static async Task WaitForAsync(Func<Task<bool>> done, string what, TimeSpan patience, Func<string>? state = null)
    {
        var deadline = DateTimeOffset.UtcNow + patience;
        while (!await done())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"no {what} within {patience}: {state?.Invoke()}");
            await Task.Delay(100);
        }
    }

    // An offline deal of `car` in a piece of `pieceSize` padded bytes, proposed to the deal grain as the gateway does.
    private async Task<(Guid Uuid, ClientDealProposal Signed, DealDecision Decision)> ProposeAsync(byte[] car, long pieceSize,
        ClientDealProposal? signed = null, long startIn = 100_000)
    {
        var uuid = Guid.NewGuid();
        if (signed is null)
        {
            var head = await _cluster.HeadAsync();
            var commP = CommP.Compute(car);
            var pieceCid = PieceCid.V1(CommP.ZeroPad(commP.Commitment, commP.PaddedSize, pieceSize));
            var proposal = new DealProposal(pieceCid, pieceSize, false, Secp256k1.AddressOf(DealFlowCluster.ClientKey), Address.Parse(_cluster.Miner),
                DealLabel.FromString($"deal {uuid}"), head + startIn, head + startIn + DealmakingOptions.FilecoinMinDealDuration, new TokenAmount(100),
                TokenAmount.Zero, TokenAmount.Zero);
            signed = ClientDealProposal.SignSecp256k1(proposal, DealFlowCluster.ClientKey);
        }

        var deal = new ProposedDeal(uuid, true, signed.ToCbor(), DealFlowCluster.Root.ToString(), new DealTransferSpec("", "", [], 0), false, false,
            _cluster.Miner, "Silo_0", "12D3KooWTestClient", "/fil/storage/mk/1.2.1");
        return (uuid, signed, await _cluster.Grains.GetGrain<IDealGrain>(uuid).Propose(deal));
    }

    // A CARv1 of `count` raw blocks of `size` random bytes.
    private static async Task<(byte[] Car, List<Cid> Blocks)> CarAsync(int count, int size)
    {
        var blocks = Enumerable.Range(0, count).Select(_ =>
        {
            var data = RandomNumberGenerator.GetBytes(size);
            return (new Cid(1, Cid.Raw, new Multihash(Multihash.Sha2_256, SHA256.HashData(data))), data);
        }).ToList();
        using var output = new MemoryStream();
        var writer = new CarWriter(output);
        await writer.WriteHeaderAsync([blocks[0].Item1]);
        foreach (var (cid, data) in blocks)
        {
            await writer.WriteBlockAsync(cid, data);
        }

        return (output.ToArray(), [.. blocks.Select(b => b.Item1)]);
    }
}
