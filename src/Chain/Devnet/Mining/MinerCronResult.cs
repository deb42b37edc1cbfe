using Granary.Chain.Model;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet.Mining;

/// <summary>A sector that left the miner (expired or terminated), with its deals and pledge.</summary>
public sealed record RetiredSector(ulong SectorNumber, IReadOnlyList<ulong> DealIds, TokenAmount Pledge);

/// <summary>A pre-commit that was never proven in time.</summary>
public sealed record ExpiredPreCommit(ulong SectorNumber, IReadOnlyList<ulong> DealIds, TokenAmount Deposit);

/// <summary>
/// What the per-epoch cron did, for the framework to apply: burn <see cref="ToBurn"/> from the miner actor's
/// balance, have the market expire/slash the deals of <see cref="Expired"/>/<see cref="Terminated"/>, and update
/// the power claim (<see cref="MinerState.Power"/>).
/// </summary>
/// <param name="ClosedDeadlines">Deadlines whose window closed and were processed.</param>
/// <param name="DetectedFaults">Sectors of partitions that missed their WindowPoSt, now faulty.</param>
/// <param name="FailedRecoveries">Recovering sectors whose partition was not proven (still faulty).</param>
/// <param name="Expired">Sectors that reached their expiration; their pledge is unlocked.</param>
/// <param name="Terminated">Sectors faulty for longer than FaultMaxAge; their pledge is burnt.</param>
/// <param name="ExpiredPreCommits">Pre-commits past MaxProveCommitDuration; their deposit is burnt.</param>
/// <param name="FaultFees">Fees charged for faulty sectors at their deadline's close.</param>
/// <param name="TerminationPenalties">Pledge forfeited by terminated sectors.</param>
/// <param name="BurntDeposits">Deposits forfeited by expired pre-commits.</param>
/// <param name="UnlockedPledge">Pledge of expired sectors, available again.</param>
/// <param name="ToBurn">What to move from the miner actor to the burnt-funds actor now (deposits, penalties and whatever fees and debt the balance covers).</param>
/// <param name="FeeDebt">Fees still owed after this epoch.</param>
public sealed record MinerCronResult(
    IReadOnlyList<ulong> ClosedDeadlines, BitField DetectedFaults, BitField FailedRecoveries, IReadOnlyList<RetiredSector> Expired,
    IReadOnlyList<RetiredSector> Terminated, IReadOnlyList<ExpiredPreCommit> ExpiredPreCommits, TokenAmount FaultFees,
    TokenAmount TerminationPenalties, TokenAmount BurntDeposits, TokenAmount UnlockedPledge, TokenAmount ToBurn, TokenAmount FeeDebt)
{
    /// <summary>Deals in terminated sectors, which the market slashes.</summary>
    public IReadOnlyList<ulong> TerminatedDealIds => [.. Terminated.SelectMany(s => s.DealIds)];

    /// <summary>Deals in expired sectors.</summary>
    public IReadOnlyList<ulong> ExpiredDealIds => [.. Expired.SelectMany(s => s.DealIds)];
}
