using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Mining;
using Granary.Chain.Model;
using Granary.Filecoin.Tokens;
using static Granary.Chain.Tests.MiningTests;

namespace Granary.Chain.Tests;

/// <summary>WindowPoSt rules with stub verifiers (the real verifier is exercised in <see cref="MiningRealProofTests"/>).</summary>
public sealed class MiningWindowPoStTests
{
    // Sectors 1 and 2 proven at 111 land in deadline 0 partition 0, whose next window is [480, 490), challenge 476.
    private const long Open = 480;

    private static MinerState TwoSectors()
    {
        var state = NewMiner();
        Commit(state, 100, 1, 2);
        Assert.Equal((0UL, 0UL), state.Location(2));
        return state;
    }

    [Fact]
    public void A_post_in_the_window_is_verified_over_the_partition_sectors_and_recorded_with_a_recording_stub()
    {
        var state = TwoSectors();
        Advance(state, Open);
        WindowPoStVerification? seen = null;

        var result = state.SubmitWindowedPoSt(0, [0], [5, 5], Open - 4, Open + 1, Randomness, v => { seen = v; return true; }, Policy);

        Assert.NotNull(seen);
        Assert.Equal([1UL, 2UL], seen.Sectors.Select(s => s.SectorNumber));
        Assert.Equal(FakeCommitment("commr", 2), seen.Sectors[1].CommR);
        Assert.Equal(Randomness(DomainSeparationTag.WindowedPoStChallengeSeed, Open - 4), seen.Randomness);
        Assert.Equal(Open - 4, seen.ChallengeEpoch);
        Assert.Equal(ProofType.WindowPoStProofId, seen.WindowPoStProofType);
        Assert.Equal([5, 5], seen.Proof);
        Assert.Equal([1UL, 2UL], result.Proven.Members);
        Assert.Equal([0UL], state.DeadlineList()[0].PostSubmissions.Members);

        var closes = Advance(state, Open + 9);
        Assert.Empty(closes.SelectMany(c => c.DetectedFaults.Members));
        Assert.Empty(state.DeadlineList()[0].PostSubmissions.Members); // cleared for the next period
        Assert.Equal(2 * 2048, state.Power().RawBytePower);
    }

    [Fact]
    public void A_post_outside_the_deadlines_window_is_refused_with_stub_proofs()
    {
        var state = TwoSectors();
        Advance(state, Open - 2);

        var early = RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.SubmitWindowedPoSt(0, [0], [1], Open - 4, Open - 1, Randomness, AcceptPoSt, Policy));
        Assert.Contains("expected 47", early.Message);
        Advance(state, Open + 10);
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.SubmitWindowedPoSt(0, [0], [1], Open - 4, Open + 10, Randomness, AcceptPoSt, Policy));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.SubmitWindowedPoSt(48, [0], [1], Open - 4, Open + 10, Randomness, AcceptPoSt, Policy));
    }

    [Fact]
    public void A_partition_proven_twice_in_a_period_is_refused_and_again_in_the_next_period_accepted_with_stub_proofs()
    {
        var state = TwoSectors();
        ProveOpenDeadline(state, Open + 1);

        var e = RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.SubmitWindowedPoSt(0, [0], [1], Open - 4, Open + 2, Randomness, AcceptPoSt, Policy));
        Assert.Contains("already proven", e.Message);
        ProveOpenDeadline(state, Open + Policy.WPoStProvingPeriod + 1);
    }

    [Fact]
    public void Missing_duplicate_or_too_many_partitions_and_a_bad_chain_commit_are_refused_with_stub_proofs()
    {
        var state = TwoSectors();
        Advance(state, Open);

        RefusedUnchanged(state, ExitCode.ErrNotFound, () => state.SubmitWindowedPoSt(0, [1], [1], Open - 4, Open + 1, Randomness, AcceptPoSt, Policy));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.SubmitWindowedPoSt(0, [0, 0], [1], Open - 4, Open + 1, Randomness, AcceptPoSt, Policy));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.SubmitWindowedPoSt(0, [], [1], Open - 4, Open + 1, Randomness, AcceptPoSt, Policy));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.SubmitWindowedPoSt(0, [0, 1, 2, 3], [1], Open - 4, Open + 1, Randomness, AcceptPoSt, Policy));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.SubmitWindowedPoSt(0, [0], [1], Open - 5, Open + 1, Randomness, AcceptPoSt, Policy));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.SubmitWindowedPoSt(0, [0], [1], Open + 1, Open + 1, Randomness, AcceptPoSt, Policy));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument,
            () => state.SubmitWindowedPoSt(0, [0], [1], Open - 4, Open + 1, Randomness, AcceptPoSt, Policy, chainCommitRand: new byte[32]));
        state.SubmitWindowedPoSt(0, [0], [1], Open - 4, Open + 1, Randomness, AcceptPoSt, Policy,
            chainCommitRand: Randomness(DomainSeparationTag.PoStChainCommit, Open - 4));
    }

    [Fact]
    public void A_proof_the_verifier_rejects_changes_nothing_with_a_rejecting_stub()
    {
        var state = TwoSectors();
        Advance(state, Open);

        var e = RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.SubmitWindowedPoSt(0, [0], [1], Open - 4, Open + 1, Randomness, _ => false, Policy));
        Assert.Contains("invalid PoSt", e.Message);
    }

    [Fact]
    public void A_missed_deadline_makes_its_sectors_faulty_and_charges_the_fault_fee_with_stub_proofs()
    {
        var state = TwoSectors();

        var results = Advance(state, Open + 9);

        var close = Assert.Single(results, r => r.DetectedFaults.Count > 0);
        Assert.Equal([0UL], close.ClosedDeadlines);
        Assert.Equal([1UL, 2UL], close.DetectedFaults.Members);
        var fee = MinerMonies.FaultFee(MinerMonies.SectorPledge);
        Assert.Equal(fee + fee, close.FaultFees);
        Assert.Equal(fee + fee, close.ToBurn);
        Assert.Equal([1UL, 2UL], state.Faults().Members);
        Assert.Equal(0, state.Power().RawBytePower);
        Assert.Equal([1UL, 2UL], state.Partitions(0)[0].FaultySectors.Members);

        // A deadline that stays faulty pays again at its next close; other deadlines' closes cost nothing.
        var next = Advance(state, Open + Policy.WPoStProvingPeriod + 9);
        Assert.Equal(fee + fee, Sum(next.Select(r => r.FaultFees)));
    }

    [Fact]
    public void Skipped_sectors_become_faulty_and_are_left_out_of_the_proof_with_stub_proofs()
    {
        var state = TwoSectors();
        Advance(state, Open);
        IReadOnlyList<ulong>? proven = null;

        var result = state.SubmitWindowedPoSt(0, [0], [1], Open - 4, Open + 1, Randomness,
            v => { proven = [.. v.Sectors.Select(s => s.SectorNumber)]; return true; }, Policy, skipped: new BitField([2]));

        Assert.Equal([1UL], proven);
        Assert.Equal([2UL], result.NewFaults.Members);
        Assert.Equal([2UL], state.Faults().Members);
        Assert.Equal(2048, state.Power().RawBytePower);
        Refused(ExitCode.ErrIllegalArgument, () => TwoSectors().SubmitWindowedPoSt(0, [0], [1], Open - 4, Open + 1, Randomness, AcceptPoSt, Policy, skipped: new BitField([9])));
    }

    private static TokenAmount Sum(IEnumerable<TokenAmount> amounts) => amounts.Aggregate(TokenAmount.Zero, (a, b) => a + b);
}
