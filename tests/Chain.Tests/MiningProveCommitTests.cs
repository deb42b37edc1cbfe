using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Mining;
using Granary.Chain.Model;
using Granary.Filecoin.Tokens;
using static Granary.Chain.Tests.MiningTests;

namespace Granary.Chain.Tests;

public sealed class MiningProveCommitTests
{
    private const long PreCommitEpoch = 100;

    [Fact]
    public void The_verifier_gets_the_prover_id_ticket_seed_and_commitments_from_chain_state_with_a_recording_stub()
    {
        var state = NewMiner();
        var info = PreCommitInfo(7, PreCommitEpoch, deals: [11, 12]);
        state.PreCommitSectorBatch([info], PreCommitEpoch, Policy);
        SealVerification? seen = null;

        var result = state.ProveCommitSectors([(7UL, new byte[] { 9, 9 })], PreCommitEpoch + 11, Randomness, v => { seen = v; return true; }, Policy);

        Assert.NotNull(seen);
        Assert.Equal(ProofType.Id, seen.SealProof);
        Assert.Equal(7UL, seen.SectorNumber);
        Assert.Equal([0xe8, 0x07, .. new byte[30]], seen.ProverId); // varint(1000), zero-padded to 32
        Assert.Equal(Randomness(DomainSeparationTag.SealRandomness, PreCommitEpoch - 1), seen.Ticket);
        Assert.Equal(Randomness(DomainSeparationTag.InteractiveSealChallengeSeed, PreCommitEpoch + Policy.PreCommitChallengeDelay), seen.Seed);
        Assert.Equal(FakeCommitment("commr", 7), seen.CommR);
        Assert.Equal(FakeCommitment("commd", 7), seen.CommD);
        Assert.Equal([9, 9], seen.Proof);

        var activated = Assert.Single(result.Activated);
        Assert.Equal([11UL, 12UL], activated.DealIds);
        Assert.Equal(info.UnsealedCid, activated.UnsealedCid);
        Assert.Null(state.PreCommit(7));
        var sector = state.Sector(7)!;
        Assert.Equal(PreCommitEpoch + 11, sector.Activation);
        Assert.Equal(MinerMonies.SectorPledge, sector.InitialPledge);
        Assert.Equal(TokenAmount.Zero, state.PreCommitDeposits);
        Assert.Equal(MinerMonies.SectorPledge, state.InitialPledge);
        Assert.Equal((activated.Deadline, activated.Partition), state.Location(7));
    }

    [Fact]
    public void A_committed_capacity_sector_is_verified_against_the_commd_of_zeros_with_a_recording_stub()
    {
        var state = NewMiner();
        state.PreCommitSectorBatch([PreCommitInfo(7, PreCommitEpoch)], PreCommitEpoch, Policy);
        byte[]? commD = null;

        state.ProveCommitSectors([(7UL, new byte[] { 1 })], PreCommitEpoch + 11, Randomness, v => { commD = v.CommD; return true; }, Policy);

        Assert.Equal(Filecoin.Pieces.ZeroPieces.Commitment(2048), commD);
    }

    [Fact]
    public void Proving_at_or_before_the_seed_epoch_is_forbidden_with_stub_proofs()
    {
        var state = NewMiner();
        state.PreCommitSectorBatch([PreCommitInfo(7, PreCommitEpoch)], PreCommitEpoch, Policy);
        var seedEpoch = PreCommitEpoch + Policy.PreCommitChallengeDelay;

        var e = RefusedUnchanged(state, ExitCode.ErrForbidden, () => state.ProveCommitSectors([(7UL, new byte[] { 1 })], seedEpoch, Randomness, AcceptSeal, Policy));
        Assert.Contains("too early", e.Message);
        state.ProveCommitSectors([(7UL, new byte[] { 1 })], seedEpoch + 1, Randomness, AcceptSeal, Policy);
    }

    [Fact]
    public void Proving_after_the_max_prove_commit_duration_is_refused_with_stub_proofs()
    {
        var state = NewMiner();
        state.PreCommitSectorBatch([PreCommitInfo(7, PreCommitEpoch), PreCommitInfo(8, PreCommitEpoch)], PreCommitEpoch, Policy);
        var due = PreCommitEpoch + Policy.MaxProveCommitDuration;

        var e = RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.ProveCommitSectors([(7UL, new byte[] { 1 })], due + 1, Randomness, AcceptSeal, Policy));
        Assert.Contains("too late", e.Message);
        state.ProveCommitSectors([(8UL, new byte[] { 1 })], due, Randomness, AcceptSeal, Policy); // the last epoch still counts
    }

    [Fact]
    public void A_proof_the_verifier_rejects_changes_nothing_with_a_rejecting_stub()
    {
        var state = NewMiner();
        state.PreCommitSectorBatch([PreCommitInfo(7, PreCommitEpoch)], PreCommitEpoch, Policy);

        var e = RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.ProveCommitSectors([(7UL, new byte[] { 1 })], PreCommitEpoch + 11, Randomness, _ => false, Policy));

        Assert.Contains("invalid seal proof", e.Message);
        Assert.NotNull(state.PreCommit(7));
        Assert.Null(state.Sector(7));
    }

    [Fact]
    public void An_unknown_sector_is_not_found_and_a_duplicate_is_refused_with_stub_proofs()
    {
        var state = NewMiner();
        state.PreCommitSectorBatch([PreCommitInfo(7, PreCommitEpoch)], PreCommitEpoch, Policy);

        RefusedUnchanged(state, ExitCode.ErrNotFound, () => state.ProveCommitSectors([(8UL, new byte[] { 1 })], PreCommitEpoch + 11, Randomness, AcceptSeal, Policy));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument,
            () => state.ProveCommitSectors([(7UL, new byte[] { 1 }), (7UL, new byte[] { 1 })], PreCommitEpoch + 11, Randomness, AcceptSeal, Policy));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.ProveCommitSectors([], PreCommitEpoch + 11, Randomness, AcceptSeal, Policy));
    }

    [Fact]
    public void Without_required_success_the_good_sectors_of_a_batch_proceed_and_the_bad_stay_pre_committed_with_a_selective_stub()
    {
        var state = NewMiner();
        state.PreCommitSectorBatch([PreCommitInfo(7, PreCommitEpoch), PreCommitInfo(8, PreCommitEpoch)], PreCommitEpoch, Policy);
        var proofs = new[] { (7UL, new byte[] { 1 }), (8UL, new byte[] { 0 }), (9UL, new byte[] { 1 }) };

        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.ProveCommitSectors(proofs, PreCommitEpoch + 11, Randomness, v => v.Proof[0] == 1, Policy));
        var result = state.ProveCommitSectors(proofs, PreCommitEpoch + 11, Randomness, v => v.Proof[0] == 1, Policy, requireActivationSuccess: false);

        Assert.Equal([7UL], result.Activated.Select(a => a.SectorNumber));
        Assert.Equal([(8UL, ExitCode.ErrIllegalArgument), (9UL, ExitCode.ErrNotFound)], result.Failed.Select(f => (f.SectorNumber, f.ExitCode)));
        Assert.NotNull(state.PreCommit(8));
        Assert.Equal(MinerMonies.SectorPledge, state.PreCommitDeposits);
        Assert.Equal(MinerMonies.SectorPledge, state.InitialPledge);
    }

    [Fact]
    public void New_sectors_have_no_power_until_their_first_window_post_with_stub_proofs()
    {
        var state = NewMiner();
        Commit(state, PreCommitEpoch, 7);

        Assert.Equal(0, state.Power().RawBytePower);
        Assert.Empty(state.ActiveSectors().Members);
        var (deadline, _) = state.Location(7)!.Value;
        var result = ProveOpenDeadline(state, NextOpen(deadline, state.ProcessedThroughEpoch) + 1);

        Assert.Equal([7UL], result.Activated.Members);
        Assert.Equal(2048, state.Power().RawBytePower);
        Assert.Equal(state.Power().RawBytePower, state.Power().QualityAdjPower);
    }
}
