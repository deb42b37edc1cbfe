using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Mining;
using Granary.Chain.Model;
using Granary.Filecoin.Tokens;
using static Granary.Chain.Tests.MiningTests;

namespace Granary.Chain.Tests;

public sealed class MiningPreCommitTests
{
    [Fact]
    public void A_pre_commit_locks_its_deposit_and_is_readable()
    {
        var state = NewMiner();
        var info = PreCommitInfo(7, 50, deals: [3, 4]);

        var deposit = state.PreCommitSectorBatch([info, PreCommitInfo(8, 50)], 50, Policy);

        Assert.Equal(new TokenAmount(MinerMonies.SectorPledge.AttoFil * 2), deposit);
        Assert.Equal(deposit, state.PreCommitDeposits);
        var onChain = state.PreCommit(7)!;
        Assert.Equal(50, onChain.PreCommitEpoch);
        Assert.Equal(MinerMonies.SectorPledge, onChain.PreCommitDeposit);
        Assert.Equal(info.SealedCid, onChain.Info.SealedCid);
        Assert.Equal([3UL, 4UL], onChain.Info.DealIds);
        Assert.Null(state.PreCommit(9));
    }

    [Fact]
    public void A_sector_number_already_pre_committed_or_proven_is_refused_with_stub_proofs()
    {
        var state = NewMiner();
        state.PreCommitSectorBatch([PreCommitInfo(1, 50)], 50, Policy);
        Commit(state, 60, 2);

        var pending = RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.PreCommitSectorBatch([PreCommitInfo(1, 80)], 80, Policy));
        Assert.Contains("already allocated", pending.Message);
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.PreCommitSectorBatch([PreCommitInfo(2, 80)], 80, Policy));
        // The whole batch fails: sector 3 is not recorded either.
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.PreCommitSectorBatch([PreCommitInfo(3, 80), PreCommitInfo(3, 80)], 80, Policy));
        Assert.Null(state.PreCommit(3));
    }

    [Fact]
    public void A_seal_proof_other_than_the_miners_is_refused()
    {
        var state = NewMiner();
        var info = PreCommitInfo(1, 50) with { SealProof = Proofs.SealProofType.Sector8MiB.Id };

        var e = RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.PreCommitSectorBatch([info], 50, Policy));
        Assert.Contains("seal proof", e.Message);
    }

    [Fact]
    public void An_empty_or_oversized_batch_is_refused()
    {
        var state = NewMiner();
        var tooMany = Enumerable.Range(1, Policy.PreCommitSectorBatchMaxSize + 1).Select(n => PreCommitInfo((ulong)n, 50)).ToArray();

        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.PreCommitSectorBatch([], 50, Policy));
        var e = RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.PreCommitSectorBatch(tooMany, 50, Policy));
        Assert.Contains("too large", e.Message);
        state.PreCommitSectorBatch(tooMany[..^1], 50, Policy); // exactly the maximum is fine
    }

    [Fact]
    public void A_ticket_from_now_or_the_future_or_beyond_the_lookback_is_refused()
    {
        var state = NewMiner();
        var epoch = 5000L;

        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.PreCommitSectorBatch([PreCommitInfo(1, epoch) with { SealRandEpoch = epoch }], epoch, Policy));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument,
            () => state.PreCommitSectorBatch([PreCommitInfo(1, epoch) with { SealRandEpoch = epoch - Policy.MaxPreCommitRandomnessLookback - 1 }], epoch, Policy));
        state.PreCommitSectorBatch([PreCommitInfo(1, epoch) with { SealRandEpoch = epoch - Policy.MaxPreCommitRandomnessLookback }], epoch, Policy);
    }

    [Fact]
    public void An_expiration_too_soon_or_too_far_is_refused()
    {
        var state = NewMiner();

        var soon = RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.PreCommitSectorBatch([PreCommitInfo(1, 50, MinExpiration(50) - 1)], 50, Policy));
        Assert.Contains("lifetime", soon.Message);
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.PreCommitSectorBatch([PreCommitInfo(1, 50, 40)], 50, Policy));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument,
            () => state.PreCommitSectorBatch([PreCommitInfo(1, 50, 50 + Policy.MaxSectorExpirationExtension + 1)], 50, Policy));
        state.PreCommitSectorBatch([PreCommitInfo(1, 50, MinExpiration(50))], 50, Policy);
    }

    [Fact]
    public void Commitments_with_the_wrong_cid_prefix_or_deals_without_commd_are_refused()
    {
        var state = NewMiner();
        var commD = SectorCommitments.UnsealedCid(FakeCommitment("commd", 1));

        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.PreCommitSectorBatch([PreCommitInfo(1, 50) with { SealedCid = commD }], 50, Policy));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument,
            () => state.PreCommitSectorBatch([PreCommitInfo(1, 50) with { UnsealedCid = SectorCommitments.SealedCid(FakeCommitment("commr", 1)) }], 50, Policy));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.PreCommitSectorBatch([PreCommitInfo(1, 50) with { DealIds = [9] }], 50, Policy));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument,
            () => state.PreCommitSectorBatch([PreCommitInfo(1, 50, deals: [.. Enumerable.Range(0, MinerState.MaxDealsPerSector + 1).Select(i => (ulong)i)])], 50, Policy));
    }

    [Fact]
    public void A_balance_short_of_the_deposit_is_refused_as_insufficient_funds()
    {
        var state = NewMiner();
        state.PreCommitSectorBatch([PreCommitInfo(1, 50)], 50, Policy, actorBalance: MinerMonies.SectorPledge);

        // The first deposit is locked, so the same balance no longer covers a second one.
        var e = RefusedUnchanged(state, ExitCode.ErrInsufficientFunds,
            () => state.PreCommitSectorBatch([PreCommitInfo(2, 51)], 51, Policy, actorBalance: MinerMonies.SectorPledge));
        Assert.Contains("pre-commit deposit", e.Message);
        state.PreCommitSectorBatch([PreCommitInfo(2, 51)], 51, Policy, actorBalance: MinerMonies.SectorPledge + MinerMonies.SectorPledge);
    }
}
