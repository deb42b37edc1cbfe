using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Mining;
using Granary.Filecoin.Tokens;
using static Granary.Chain.Tests.MiningTests;

namespace Granary.Chain.Tests;

/// <summary>Sector and pre-commit expiry, with stub verifiers.</summary>
public sealed class MiningExpiryTests
{
    [Fact]
    public void A_sector_expires_at_the_close_of_its_deadline_after_its_expiration_and_gets_its_pledge_back_with_stub_proofs()
    {
        var state = NewMiner();
        var expiration = MinExpiration(100); // 2500; deadline 0's windows end at …, 2409, 2889
        Commit(state, 100, [PreCommitInfo(1, 100, expiration, deals: [5]), PreCommitInfo(2, 100, expiration + 1000)]);

        var proving = AdvanceProving(state, 2888);
        Assert.DoesNotContain(proving, r => r.Expired.Count > 0 || r.DetectedFaults.Count > 0);
        Assert.NotNull(state.Sector(1));
        var close = state.ProcessEpoch(2889, Policy);

        var expired = Assert.Single(close.Expired);
        Assert.Equal(1UL, expired.SectorNumber);
        Assert.Equal([5UL], close.ExpiredDealIds);
        Assert.Equal(MinerMonies.SectorPledge, close.UnlockedPledge);
        Assert.Equal(TokenAmount.Zero, close.ToBurn);
        Assert.Null(state.Sector(1));
        Assert.NotNull(state.Sector(2));
        Assert.Equal(MinerMonies.SectorPledge, state.InitialPledge);
        Assert.Equal([2UL], state.Partitions(0)[0].LiveSectors.Members);
        Assert.Equal(2048, state.Power().RawBytePower);
    }

    [Fact]
    public void A_pre_commit_not_proven_in_time_expires_and_its_deposit_is_burnt_with_stub_proofs()
    {
        var state = NewMiner();
        Advance(state, 99);
        state.PreCommitSectorBatch([PreCommitInfo(1, 100, deals: [8]), PreCommitInfo(2, 100)], 100, Policy);
        var due = 100 + Policy.MaxProveCommitDuration;
        state.ProveCommitSectors([(2UL, new byte[] { 1 })], 111, Randomness, AcceptSeal, Policy);

        var before = Advance(state, due);
        var after = state.ProcessEpoch(due + 1, Policy);

        Assert.DoesNotContain(before, r => r.ExpiredPreCommits.Count > 0);
        var gone = Assert.Single(after.ExpiredPreCommits);
        Assert.Equal((1UL, MinerMonies.SectorPledge), (gone.SectorNumber, gone.Deposit));
        Assert.Equal([8UL], gone.DealIds);
        Assert.Equal(MinerMonies.SectorPledge, after.BurntDeposits);
        Assert.True(after.ToBurn >= MinerMonies.SectorPledge);
        Assert.Null(state.PreCommit(1));
        Assert.Equal(TokenAmount.Zero, state.PreCommitDeposits);
        // The number stays used, and a late proof finds nothing.
        Refused(ExitCode.ErrIllegalArgument, () => state.PreCommitSectorBatch([PreCommitInfo(1, due + 2)], due + 2, Policy));
        Refused(ExitCode.ErrNotFound, () => state.ProveCommitSectors([(1UL, new byte[] { 1 })], due + 2, Randomness, AcceptSeal, Policy));
    }

    [Fact]
    public void The_cron_is_idempotent_per_epoch_and_catches_up_skipped_epochs_with_stub_proofs()
    {
        var a = NewMiner();
        var b = NewMiner();
        Commit(a, 100, 1, 2);
        Commit(b, 100, 1, 2);

        var stepwise = Advance(a, 1000).SelectMany(r => r.ClosedDeadlines).ToList();
        var jump = b.ProcessEpoch(1000, Policy);

        Assert.Equal(stepwise, jump.ClosedDeadlines);
        Assert.Equal(a.ToJson(), b.ToJson());
        Assert.Empty(b.ProcessEpoch(1000, Policy).ClosedDeadlines);
        Assert.Equal(a.ToJson(), b.ToJson());
    }
}
