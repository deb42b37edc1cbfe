using System.Text.Json;
using Granary.Chain.Devnet.Mining;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Tokens;
using static Granary.Chain.Tests.MiningTests;

namespace Granary.Chain.Tests;

/// <summary>The state persists as JSON and a reloaded state carries on exactly as the original (stub verifiers).</summary>
public sealed class MiningStateJsonTests
{
    /// <summary>A state with something in every part: peer info, a pre-commit, active/faulty/recovering sectors, a PoSt submission, debt.</summary>
    private static MinerState Busy()
    {
        var state = NewMiner();
        state.ChangePeerId([0x00, 0x24, 0x08, 0x01]);
        state.ChangeMultiaddrs([[0x04, 127, 0, 0, 1, 0x06, 0x04, 0xd2]]);
        state.ChangeWorker(Address.FromId(102), [Address.FromId(103)]);
        Commit(state, 100, [PreCommitInfo(1, 100, deals: [7, 8]), PreCommitInfo(2, 100), PreCommitInfo(3, 100)]); // d0 {1,2}, d1 {3}
        AdvanceProving(state, 489);
        Advance(state, 499); // deadline 1 misses its PoSt: 3 is faulty
        state.PreCommitSectorBatch([PreCommitInfo(9, 500)], 500, Policy);
        state.DeclareFaults([(0UL, 0UL, new BitField([2]))], 500, Policy);
        state.DeclareFaultsRecovered([(1UL, 0UL, new BitField([3]))], 500, Policy);
        Advance(state, 960);
        state.SubmitWindowedPoSt(0, [0], [1], 956, 961, Randomness, AcceptPoSt, Policy);
        state.FeeDebt = new TokenAmount(12345);
        return state;
    }

    [Fact]
    public void A_round_trip_through_json_gives_back_an_equal_state_with_stub_proofs()
    {
        var original = Busy();
        Assert.Equal([2UL, 3UL], original.Faults().Members);
        Assert.Equal([3UL], original.Recoveries().Members);
        Assert.Equal([0UL], original.DeadlineList()[0].PostSubmissions.Members);

        var json = original.ToJson();
        var copy = MinerState.FromJson(json);

        Assert.Equal(json, copy.ToJson());
        Assert.Equal(json, JsonSerializer.Serialize(copy)); // the converters sit on the properties: default options store the same form
        var (a, b) = (original.MinerInfo(), copy.MinerInfo());
        Assert.Equal((a.Owner, a.Worker, a.SectorSize, a.WindowPoStPartitionSectors, a.WindowPoStProofType), (b.Owner, b.Worker, b.SectorSize, b.WindowPoStPartitionSectors, b.WindowPoStProofType));
        Assert.Equal(a.PeerId, b.PeerId);
        Assert.Equal(a.Multiaddrs, b.Multiaddrs);
        Assert.Equal(a.ControlAddresses, b.ControlAddresses);
        Assert.Equal(original.Faults(), copy.Faults());
        Assert.Equal(original.Recoveries(), copy.Recoveries());
        Assert.Equal(original.ActiveSectors(), copy.ActiveSectors());
        Assert.Equal(original.PreCommit(9)!.Info.SealedCid, copy.PreCommit(9)!.Info.SealedCid);
        Assert.Equal(original.PreCommit(9)!.PreCommitDeposit, copy.PreCommit(9)!.PreCommitDeposit);
        Assert.Equal(original.Sector(1)!.DealIds, copy.Sector(1)!.DealIds);
        Assert.Equal((original.FeeDebt, original.InitialPledge, original.PreCommitDeposits), (copy.FeeDebt, copy.InitialPledge, copy.PreCommitDeposits));
        Assert.Equal(original.ProvingDeadline(1234, Policy), copy.ProvingDeadline(1234, Policy));
        for (ulong d = 0; d < 48; d++)
        {
            Assert.Equal(original.Partitions(d), copy.Partitions(d));
            Assert.Equal(original.DeadlineList()[(int)d], copy.DeadlineList()[(int)d]);
        }
    }

    [Fact]
    public void A_reloaded_state_carries_on_exactly_as_the_original_with_stub_proofs()
    {
        var original = Busy();
        var copy = MinerState.FromJson(original.ToJson());

        var a = Advance(original, 3000).Select(Describe).ToList();
        var b = Advance(copy, 3000).Select(Describe).ToList();

        Assert.Equal(a, b);
        Assert.Contains(a, r => r.Contains("terminated 2"));
        Assert.Equal(original.ToJson(), copy.ToJson());
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{\"Deadlines\":null}")]
    [InlineData("{\"Deadlines\":[]}")]
    [InlineData("{\"Deadlines\":[{\"Partitions\":[null]}]}")]
    [InlineData("{\"Deadlines\":[{\"Partitions\":[{\"Faulty\":null}]}]}")]
    [InlineData("{\"FeeDebt\":\"12x\",\"Deadlines\":[{}]}")]
    [InlineData("{\"FeeDebt\":12,\"Deadlines\":[{}]}")]
    [InlineData("{\"Info\":{\"OwnerId\":\"f0100\"},\"Deadlines\":[{}]}")]
    [InlineData("{\"Info\":{\"ControlIds\":{}},\"Deadlines\":[{}]}")]
    [InlineData("{\"PreCommits\":{\"1\":{\"SealedCid\":\"bnotacid\"}},\"Deadlines\":[{}]}")]
    [InlineData("{\"Sectors\":{\"1\":{\"SectorNumber\":2}},\"Deadlines\":[{}]}")]
    [InlineData("{\"Sectors\":{\"1\":{\"SectorNumber\":1,\"Deadline\":5}},\"Deadlines\":[{}]}")]
    public void Malformed_or_inconsistent_json_is_refused_with_a_json_exception(string json)
    {
        Assert.Throws<JsonException>(() => MinerState.FromJson(json));
    }

    [Fact]
    public void Truncated_json_is_refused_with_a_json_exception_with_stub_proofs()
    {
        var json = Busy().ToJson();
        for (var cut = 0; cut < json.Length; cut += Math.Max(1, json.Length / 97))
        {
            Assert.Throws<JsonException>(() => MinerState.FromJson(json[..cut]));
        }
    }

    private static string Describe(MinerCronResult r) =>
        $"closed {string.Join(",", r.ClosedDeadlines)} detected {r.DetectedFaults} failed {r.FailedRecoveries} "
        + $"expired {string.Join(",", r.Expired.Select(s => s.SectorNumber))} terminated {string.Join(",", r.Terminated.Select(s => s.SectorNumber))} "
        + $"precommits {string.Join(",", r.ExpiredPreCommits.Select(p => p.SectorNumber))} fees {r.FaultFees} penalties {r.TerminationPenalties} "
        + $"deposits {r.BurntDeposits} unlocked {r.UnlockedPledge} burn {r.ToBurn} debt {r.FeeDebt}";
}
