using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Mining;
using Granary.Chain.Model;
using Granary.Filecoin.Tokens;
using static Granary.Chain.Tests.MiningTests;

namespace Granary.Chain.Tests;

/// <summary>Fault and recovery declarations, with stub verifiers.</summary>
public sealed class MiningFaultTests
{
    // Sectors 1 and 2 sit in deadline 0 partition 0; its window [480, 490) has fault cutoff 474.
    private const long Open = 480;
    private const long Cutoff = Open - 6;

    private static MinerState TwoSectors()
    {
        var state = NewMiner();
        Commit(state, 100, 1, 2);
        return state;
    }

    [Fact]
    public void A_fault_declared_before_the_cutoff_is_recorded_with_stub_proofs()
    {
        var state = TwoSectors();

        var faulty = state.DeclareFaults([(0UL, 0UL, new BitField([2]))], Cutoff - 1, Policy);

        Assert.Equal([2UL], faulty.Members);
        Assert.Equal([2UL], state.Faults().Members);
        // Declaring it again changes nothing.
        Assert.Empty(state.DeclareFaults([(0UL, 0UL, new BitField([2]))], Cutoff - 1, Policy).Members);
    }

    [Fact]
    public void A_fault_declared_after_the_cutoff_or_during_the_window_is_refused_but_after_the_window_targets_the_next_period_with_stub_proofs()
    {
        var state = TwoSectors();

        var late = RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.DeclareFaults([(0UL, 0UL, new BitField([2]))], Cutoff, Policy));
        Assert.Contains("late fault declaration", late.Message);
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.DeclareFaults([(0UL, 0UL, new BitField([2]))], Open + 5, Policy));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.DeclareFaultsRecovered([(0UL, 0UL, new BitField([2]))], Open + 5, Policy));

        Assert.Equal([2UL], state.DeclareFaults([(0UL, 0UL, new BitField([2]))], Open + 10, Policy).Members);
    }

    [Fact]
    public void Declarations_for_unknown_deadlines_partitions_or_sectors_are_refused_with_stub_proofs()
    {
        var state = TwoSectors();

        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.DeclareFaults([(48UL, 0UL, new BitField([1]))], 200, Policy));
        RefusedUnchanged(state, ExitCode.ErrNotFound, () => state.DeclareFaults([(0UL, 1UL, new BitField([1]))], 200, Policy));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.DeclareFaults([(0UL, 0UL, new BitField([1, 3]))], 200, Policy));
        // A bad second declaration fails the first too.
        RefusedUnchanged(state, ExitCode.ErrNotFound, () => state.DeclareFaults([(0UL, 0UL, new BitField([1])), (5UL, 0UL, new BitField([1]))], 200, Policy));
    }

    [Fact]
    public void A_recovered_sector_is_active_again_after_the_next_post_of_its_partition_with_stub_proofs()
    {
        var state = TwoSectors();
        AdvanceProving(state, Open + 9); // first PoSt: both sectors active
        state.DeclareFaults([(0UL, 0UL, new BitField([1, 2]))], 600, Policy);
        Assert.Equal(0, state.Power().RawBytePower);

        var recovering = state.DeclareFaultsRecovered([(0UL, 0UL, new BitField([1, 2]))], 700, Policy);
        Assert.Equal([1UL, 2UL], recovering.Members);
        Assert.Equal([1UL, 2UL], state.Recoveries().Members);
        Assert.Equal([1UL, 2UL], state.Faults().Members); // still faulty until proven
        IReadOnlyList<ulong>? proven = null;
        var result = ProveOpenDeadline(state, Open + Policy.WPoStProvingPeriod + 1, v => { proven = [.. v.Sectors.Select(s => s.SectorNumber)]; return true; });

        Assert.Equal([1UL, 2UL], proven);
        Assert.Equal([1UL, 2UL], result.Recovered.Members);
        Assert.Empty(state.Faults().Members);
        Assert.Empty(state.Recoveries().Members);
        Assert.Equal(2 * 2048, state.Power().RawBytePower);
    }

    [Fact]
    public void A_recovery_whose_partition_is_not_proven_fails_and_the_sectors_stay_faulty_with_stub_proofs()
    {
        var state = TwoSectors();
        state.DeclareFaults([(0UL, 0UL, new BitField([1]))], 200, Policy);
        state.DeclareFaultsRecovered([(0UL, 0UL, new BitField([1, 2]))], 300, Policy); // 2 is not faulty: ignored

        var results = Advance(state, Open + 9);

        var close = Assert.Single(results, r => r.ClosedDeadlines.Contains(0UL) && r.DetectedFaults.Count > 0);
        Assert.Equal([1UL], close.FailedRecoveries.Members);
        Assert.Equal([2UL], close.DetectedFaults.Members);
        Assert.Equal([1UL, 2UL], state.Faults().Members);
        Assert.Empty(state.Recoveries().Members);
    }

    [Fact]
    public void A_sector_faulty_longer_than_the_max_age_is_terminated_and_forfeits_its_pledge_with_stub_proofs()
    {
        var state = NewMiner();
        Commit(state, 100, [PreCommitInfo(1, 100, deals: [41]), PreCommitInfo(2, 100)]);
        var lastOfFirstWindow = Open + 9;
        var terminationEpoch = lastOfFirstWindow + Policy.FaultMaxAge; // a last epoch of deadline 0 again

        var before = Advance(state, terminationEpoch - 1);
        var at = state.ProcessEpoch(terminationEpoch, Policy);

        Assert.DoesNotContain(before, r => r.Terminated.Count > 0);
        Assert.Equal([1UL, 2UL], at.Terminated.Select(s => s.SectorNumber));
        Assert.Equal([41UL], at.TerminatedDealIds);
        Assert.Equal(MinerMonies.SectorPledge + MinerMonies.SectorPledge, at.TerminationPenalties);
        var fee = MinerMonies.FaultFee(MinerMonies.SectorPledge);
        Assert.Equal(at.TerminationPenalties + fee + fee, at.ToBurn); // the fee of that last close, then the pledge
        Assert.Equal(TokenAmount.Zero, state.InitialPledge);
        Assert.Null(state.Sector(1));
        Assert.Empty(state.Faults().Members);
        Assert.Empty(state.Partitions(0)[0].LiveSectors.Members);
        Assert.Equal([1UL, 2UL], state.Partitions(0)[0].AllSectors.Members);
    }

    [Fact]
    public void Fees_the_balance_cannot_cover_become_debt_that_blocks_pre_commits_and_recoveries_until_repaid_with_stub_proofs()
    {
        var state = TwoSectors();
        var fee = MinerMonies.FaultFee(MinerMonies.SectorPledge);
        var lockedOnly = state.LockedFunds;

        var results = Advance(state, Open + 9, _ => lockedOnly);

        Assert.Equal(fee + fee, state.FeeDebt);
        Assert.Equal(TokenAmount.Zero, results[^1].ToBurn);
        Refused(ExitCode.ErrInsufficientFunds, () => state.PreCommitSectorBatch([PreCommitInfo(9, Open + 10)], Open + 10, Policy));
        Refused(ExitCode.ErrInsufficientFunds, () => state.DeclareFaultsRecovered([(0UL, 0UL, new BitField([1]))], Open + 10, Policy));
        Assert.Equal(TokenAmount.Zero, state.AvailableBalance(lockedOnly + fee));

        var repaid = state.ProcessEpoch(Open + 10, Policy, lockedOnly + TokenAmount.FromFil(1));
        Assert.Equal(fee + fee, repaid.ToBurn);
        Assert.Equal(TokenAmount.Zero, state.FeeDebt);
        state.DeclareFaultsRecovered([(0UL, 0UL, new BitField([1]))], Open + 11, Policy);
    }
}
