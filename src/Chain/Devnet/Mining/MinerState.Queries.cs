using Granary.Chain.Model;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet.Mining;

// What the chain API reads (StateMiner…, StateSector…).
public sealed partial class MinerState
{
    /// <summary><c>StateMinerInfo</c>.</summary>
    public MinerInfo MinerInfo() => Info.ToModel();

    /// <summary><c>StateMinerProvingDeadline</c>: the deadline open at <paramref name="epoch"/>.</summary>
    public DeadlineInfo ProvingDeadline(long epoch, ChainPolicy policy) => DeadlineInfo.Current(policy, Info.ProvingPeriodOffset, epoch);

    /// <summary><c>StateMinerDeadlines</c>.</summary>
    public IReadOnlyList<Deadline> DeadlineList() => [.. Deadlines.Select(d => d.ToModel())];

    /// <summary><c>StateMinerPartitions</c>.</summary>
    /// <exception cref="ActorException">16: no such deadline.</exception>
    public IReadOnlyList<Partition> Partitions(ulong deadline) => deadline < (ulong)Deadlines.Count
        ? [.. Deadlines[(int)deadline].Partitions.Select(p => p.ToModel())]
        : throw new ActorException(ExitCode.ErrIllegalArgument, $"invalid deadline {deadline} of {Deadlines.Count}");

    /// <summary><c>StateMinerFaults</c>: live faulty sectors (recovering ones included).</summary>
    public BitField Faults() => new(AllPartitions().SelectMany(p => p.Faulty.Where(p.IsLive)));

    /// <summary><c>StateMinerRecoveries</c>.</summary>
    public BitField Recoveries() => new(AllPartitions().SelectMany(p => p.Recovering.Where(p.IsLive)));

    /// <summary>Sectors with power: live, proven, not faulty.</summary>
    public BitField ActiveSectors() => new(AllPartitions().SelectMany(p => p.Active));

    /// <summary>
    /// <c>StateMinerSectors</c>: live sectors on chain, optionally only those in <paramref name="filter"/>.
    /// </summary>
    public IReadOnlyList<SectorOnChainInfo> SectorInfos(BitField? filter = null) =>
        [.. Sectors.Values.Where(s => filter is null || filter.Contains(s.SectorNumber)).Select(s => s.ToModel())];

    /// <summary><c>StateSectorPreCommitInfo</c>: null when the sector is not pre-committed.</summary>
    public SectorPreCommitOnChainInfo? PreCommit(ulong sector) => PreCommits.TryGetValue(sector, out var p) ? p.ToModel() : null;

    /// <summary><c>StateSectorGetInfo</c>: null when the sector is not live on chain.</summary>
    public SectorOnChainInfo? Sector(ulong sector) => Sectors.TryGetValue(sector, out var s) ? s.ToModel() : null;

    /// <summary><c>StateSectorPartition</c>: the deadline and partition of a live sector, or null.</summary>
    public (ulong Deadline, ulong Partition)? Location(ulong sector) => Sectors.TryGetValue(sector, out var s) ? (s.Deadline, s.Partition) : null;

    /// <summary>The miner's claim: raw = sector size × active sectors; quality-adjusted = raw (no deal multipliers in the devnet).</summary>
    public Claim Power()
    {
        var raw = new System.Numerics.BigInteger(Info.SectorSize) * AllPartitions().Sum(p => p.Active.Count());
        return new Claim(raw, raw);
    }

    /// <summary>What the actor may spend or withdraw: balance − locked funds − fee debt (never below zero).</summary>
    public TokenAmount AvailableBalance(TokenAmount actorBalance)
    {
        var available = actorBalance - LockedFunds - FeeDebt;
        return available > TokenAmount.Zero ? available : TokenAmount.Zero;
    }

    private IEnumerable<PartitionState> AllPartitions() => Deadlines.SelectMany(d => d.Partitions);
}
