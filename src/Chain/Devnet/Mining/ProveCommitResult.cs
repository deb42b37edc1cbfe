using Granary.Filecoin.Cids;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet.Mining;

/// <summary>A sector a prove-commit put on chain: the market activates its deals.</summary>
/// <param name="SectorNumber">The sector.</param>
/// <param name="DealIds">Its deals, for the market to activate.</param>
/// <param name="UnsealedCid">Its CommD (null: committed capacity), for the market to check against the deals.</param>
/// <param name="Deadline">The deadline it was assigned to.</param>
/// <param name="Partition">The partition within that deadline.</param>
/// <param name="Expiration">When it expires.</param>
public sealed record ActivatedSector(ulong SectorNumber, IReadOnlyList<ulong> DealIds, Cid? UnsealedCid, ulong Deadline, ulong Partition, long Expiration);

/// <summary>A sector of a batch that could not be proven, and why (with the exit code a lone sector would get).</summary>
public sealed record SectorFailure(ulong SectorNumber, ExitCode ExitCode, string Reason);

/// <summary>What a prove-commit did.</summary>
/// <param name="Activated">Sectors now on chain.</param>
/// <param name="Failed">Sectors left pre-committed (only when activation success was not required).</param>
/// <param name="DepositReleased">Pre-commit deposits unlocked.</param>
/// <param name="PledgeLocked">Initial pledge locked (equal to the deposits released in the devnet's economics).</param>
public sealed record ProveCommitResult(
    IReadOnlyList<ActivatedSector> Activated, IReadOnlyList<SectorFailure> Failed, TokenAmount DepositReleased, TokenAmount PledgeLocked);
