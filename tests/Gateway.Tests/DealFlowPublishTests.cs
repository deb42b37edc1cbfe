using Granary.Chain.Devnet.Actors;
using Granary.Filecoin.Cids;
using Granary.Grains.Deals;
using Granary.Grains.Pieces;

namespace Granary.Gateway.Tests;

/// <summary>
/// Transferred deals published in batches by the miner's <see cref="IDealPublisherGrain"/> on a real devnet: one
/// PublishStorageDeals message per batch, each deal confirmed with the deal id the chain gives it, deals that cannot be
/// published failed with their reason, and a restart between send and landing publishing once.
/// </summary>
public sealed class DealFlowPublishTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("granary-deal-flow-").FullName;
    private DealFlowCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await DealFlowCluster.StartAsync(_directory, batchSize: 2, period: TimeSpan.FromSeconds(3));

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Three_deals_with_two_per_message_go_out_in_two_messages_and_get_the_chains_deal_ids()
    {
        var data = Enumerable.Range(0, 3).Select(i => TransferPullerTests.RandomData(1500 + i, 70 + i)).ToArray();
        var deals = new List<Guid>();
        foreach (var d in data)
        {
            deals.Add((await _cluster.ProposeAsync(d)).Uuid);
        }

        foreach (var (uuid, d) in deals.Zip(data))
        {
            await _cluster.ImportAsync(uuid, d);
        }

        await _cluster.WaitForPushesAsync(2);
        var published = new List<DealSnapshot>();
        foreach (var uuid in deals)
        {
            published.Add(await _cluster.WaitForAsync(uuid, s => s.Summary.Checkpoint >= DealCheckpoint.Published, "Published"));
        }

        var messages = _cluster.PublishPushes.Select(c => c.ToString()).ToList();
        Assert.Equal(2, messages.Distinct().Count());
        Assert.Equal(messages.ToHashSet(), published.Select(p => p.PublishCid).ToHashSet());
        Assert.Equal([2, 1], published.GroupBy(p => p.PublishCid).Select(g => g.Count()).OrderDescending());

        await _cluster.AdvanceAsync(2);
        var ids = new HashSet<ulong>();
        foreach (var (uuid, i) in deals.Select((u, i) => (u, i)))
        {
            var confirmed = await _cluster.WaitForAsync(uuid, s => s.Summary.Checkpoint >= DealCheckpoint.PublishConfirmed, "PublishConfirmed");
            Assert.Equal("", confirmed.Summary.Error);
            Assert.True(ids.Add(confirmed.Summary.ChainDealId));
            var onChain = await _cluster.Devnet.StateMarketStorageDeal(confirmed.Summary.ChainDealId, null);
            Assert.Equal(confirmed.Summary.PieceCid, onChain.Proposal.PieceCid.ToString());
            Assert.Equal(confirmed.Summary.StartEpoch, onChain.Proposal.StartEpoch);
            var landed = await _cluster.Devnet.StateWaitMsg(Cid.Parse(confirmed.PublishCid), 0);
            Assert.Contains(confirmed.Summary.ChainDealId, PublishStorageDealsReturn.FromCbor(landed.Receipt.Return).Ids);
            Assert.Contains(confirmed.History, h => h.Checkpoint == DealCheckpoint.PublishConfirmed && h.Note.Contains($"deal id {confirmed.Summary.ChainDealId}"));
        }

        Assert.Equal(2, _cluster.PublishPushes.Count);
        var publisher = await _cluster.Grains.GetGrain<IDealPublisherGrain>(_cluster.Miner).Describe();
        Assert.Equal((0, 0, 2L), (publisher.Queued.Count, publisher.Batches.Count, publisher.MessagesSent));
    }

    [Fact]
    public async Task Deals_that_cannot_be_published_fail_with_their_reason_and_the_rest_publish()
    {
        // A client that withdraws its escrow after acceptance; a deal whose start epoch passes before it is published;
        // two deals with the same signed proposal (the market actor publishes one of them); and a good one.
        var leaverData = TransferPullerTests.RandomData(1500, 81);
        var (leaver, _) = await _cluster.ProposeAsync(leaverData, DealFlowCluster.LeaverKey);
        await _cluster.WithdrawEscrowAsync(DealFlowCluster.LeaverKey);

        var lateData = TransferPullerTests.RandomData(1500, 82);
        var (late, _) = await _cluster.ProposeAsync(lateData, startIn: 25);
        await _cluster.AdvanceAsync(26);

        var twinData = TransferPullerTests.RandomData(1500, 83);
        var (twinA, signed) = await _cluster.ProposeAsync(twinData);
        var (twinB, _) = await _cluster.ProposeAsync(twinData, signed: signed);
        var goodData = TransferPullerTests.RandomData(1500, 84);
        var (good, _) = await _cluster.ProposeAsync(goodData);

        await _cluster.ImportAsync(leaver, leaverData);
        await _cluster.ImportAsync(late, lateData);
        var leaverFailed = await _cluster.WaitForAsync(leaver, s => s.Summary.Checkpoint == DealCheckpoint.Complete, "failed");
        Assert.StartsWith("client market balance too small at publish time: available 0 FIL", leaverFailed.Summary.Error);
        var lateFailed = await _cluster.WaitForAsync(late, s => s.Summary.Checkpoint == DealCheckpoint.Complete, "failed");
        Assert.StartsWith("deal start epoch has already elapsed: start epoch", lateFailed.Summary.Error);
        Assert.Empty(_cluster.PublishPushes);

        await _cluster.ImportAsync(twinA, twinData);
        await _cluster.ImportAsync(twinB, twinData);
        await _cluster.WaitForPushesAsync(1);
        await _cluster.WaitForAsync(twinB, s => s.Summary.Checkpoint >= DealCheckpoint.Published, "Published");
        await _cluster.AdvanceAsync(2);
        var a = await _cluster.WaitForAsync(twinA, s => s.Summary.Checkpoint >= DealCheckpoint.PublishConfirmed, "PublishConfirmed");
        var b = await _cluster.WaitForAsync(twinB, s => s.Summary.Checkpoint == DealCheckpoint.Complete, "failed");
        Assert.Equal("", a.Summary.Error);
        var height = await LandedAtAsync(a.PublishCid);
        Assert.Equal($"not published: PublishStorageDeals message {a.PublishCid} landed at epoch {height} "
            + "without this deal: another deal of the message has the same proposal", b.Summary.Error);

        await _cluster.ImportAsync(good, goodData);
        await _cluster.WaitForPushesAsync(2);
        await _cluster.WaitForAsync(good, s => s.Summary.Checkpoint >= DealCheckpoint.Published, "Published");
        await _cluster.AdvanceAsync(2);
        var confirmed = await _cluster.WaitForAsync(good, s => s.Summary.Checkpoint >= DealCheckpoint.PublishConfirmed, "PublishConfirmed");
        Assert.NotEqual(a.Summary.ChainDealId, confirmed.Summary.ChainDealId);
        Assert.Equal(2, _cluster.PublishPushes.Count);
    }

    [Fact]
    public async Task A_restart_between_sending_and_landing_waits_for_the_message_and_publishes_once()
    {
        var data = TransferPullerTests.RandomData(1500, 91);
        var (uuid, _) = await _cluster.ProposeAsync(data);
        await _cluster.ImportAsync(uuid, data);
        await _cluster.WaitForPushesAsync(1); // alone: after the publish period
        var published = await _cluster.WaitForAsync(uuid, s => s.Summary.Checkpoint == DealCheckpoint.Published, "Published");

        await _cluster.RestartAsync();
        Assert.Equal(DealCheckpoint.Published, (await _cluster.StatusAsync(uuid))!.Summary.Checkpoint); // activates it: it resumes
        // The publisher resumes its persisted batch: it follows the message it sent rather than sending another.
        var publisher = await _cluster.Grains.GetGrain<IDealPublisherGrain>(_cluster.Miner).Describe();
        Assert.Equal(published.PublishCid, Assert.Single(publisher.Batches).Message);
        Assert.Empty(publisher.Queued);
        await _cluster.AdvanceAsync(2);
        var confirmed = await _cluster.WaitForAsync(uuid, s => s.Summary.Checkpoint >= DealCheckpoint.PublishConfirmed, "PublishConfirmed");

        Assert.Equal(published.PublishCid, confirmed.PublishCid);
        Assert.Equal(published.PublishCid, Assert.Single(_cluster.PublishPushes).ToString());
        Assert.Equal(uuid, (await _cluster.Grains.GetPiece(confirmed.Summary.PieceCid).Info())!.Deals.Single().DealUuid);
    }

    [Fact]
    public async Task A_push_that_fails_while_the_mining_silo_is_down_is_retried_with_back_off_and_publishes_once()
    {
        var data = TransferPullerTests.RandomData(1500, 95);
        var (uuid, _) = await _cluster.ProposeAsync(data, startIn: 200);
        await _cluster.StopMiningAsync();
        await _cluster.ImportAsync(uuid, data);

        var publisher = _cluster.Grains.GetGrain<IDealPublisherGrain>(_cluster.Miner);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        PublishBatch? failing = null;
        while (failing is null)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the publisher did not try to push");
            failing = (await publisher.Describe()).Batches.SingleOrDefault(b => b.Attempts > 0);
            await Task.Delay(100);
        }

        Assert.Equal("", failing.Message);
        Assert.Equal([uuid], failing.Deals);
        Assert.Contains("Mining", failing.LastError, StringComparison.Ordinal);
        Assert.True(failing.NextAttempt > DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1));
        Assert.Equal(DealCheckpoint.Transferred, (await _cluster.StatusAsync(uuid))!.Summary.Checkpoint);

        await _cluster.StartMiningAsync();
        await _cluster.WaitForPushesAsync(1);
        await _cluster.WaitForAsync(uuid, s => s.Summary.Checkpoint >= DealCheckpoint.Published, "Published");
        await _cluster.AdvanceAsync(2);
        var confirmed = await _cluster.WaitForAsync(uuid, s => s.Summary.Checkpoint >= DealCheckpoint.PublishConfirmed, "PublishConfirmed");
        Assert.Equal(Assert.Single(_cluster.PublishPushes).ToString(), confirmed.PublishCid);
    }

    [Fact]
    public async Task The_miner_grain_pushes_once_per_key_and_tells_pending_landed_and_dropped_apart()
    {
        var miner = _cluster.Grains.GetGrain<Grains.Miner.IMinerGrain>(_cluster.Miner);
        var parameters = MarketAddBalanceParams.ToCbor(Filecoin.Addresses.Address.Parse(_cluster.Miner));
        var first = await miner.Push("test-key", "t05", ActorMethods.Market.AddBalance, parameters, 1000);
        var again = await miner.Push("test-key", "t05", ActorMethods.Market.AddBalance, parameters, 1000);
        Assert.Equal(first, again);
        Assert.Equal(first.Message, Assert.Single((await miner.GetInfo(refresh: false)).Pending).Message);
        Assert.Equal(Grains.Miner.MinerMessageFate.Pending, (await miner.CheckMessage(first.Message, TimeSpan.FromMilliseconds(100))).Fate);

        await _cluster.AdvanceAsync(2);
        var landed = await miner.CheckMessage(first.Message, TimeSpan.FromSeconds(5));
        Assert.Equal((Grains.Miner.MinerMessageFate.Landed, 0L), (landed.Fate, landed.Receipt!.ExitCode));
        Assert.Empty((await miner.GetInfo(refresh: false)).Pending);
        Assert.Equal(first, await miner.Push("test-key", "t05", ActorMethods.Market.AddBalance, parameters, 1000)); // landed: still that one

        var unknown = Filecoin.Cbor.DagCbor.CidOf([1, 2, 3]).ToString();
        Assert.Equal(Grains.Miner.MinerMessageFate.Dropped, (await miner.CheckMessage(unknown, TimeSpan.FromMilliseconds(100))).Fate);
        var bad = await Assert.ThrowsAsync<Grains.Miner.MinerException>(() => miner.Push("other", "not an address", 2, parameters, 0));
        Assert.StartsWith("'not an address' is not an address", bad.Message);
        Assert.Empty(_cluster.PublishPushes);
    }

    private async Task<long> LandedAtAsync(string message) => (await _cluster.Devnet.StateWaitMsg(Cid.Parse(message), 0)).Height;
}
