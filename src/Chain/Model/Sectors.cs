using Granary.Filecoin.Cids;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Model;

/// <summary>What a miner pre-commits for one sector (Lotus's <c>SectorPreCommitInfo</c>).</summary>
/// <param name="SealProof">Registered seal proof id (Filecoin's; the Proofs engine's <c>SealProofType</c> has them).</param>
/// <param name="SectorNumber">The sector's number.</param>
/// <param name="SealedCid">CommR as a CID (<c>bagboea4b5abc…</c>).</param>
/// <param name="SealRandEpoch">The epoch the ticket was drawn from.</param>
/// <param name="DealIds">Deals packed into the sector.</param>
/// <param name="Expiration">Epoch the sector expires.</param>
/// <param name="UnsealedCid">CommD as a CID (null for a committed-capacity sector).</param>
public sealed record SectorPreCommitInfo(
    long SealProof, ulong SectorNumber, Cid SealedCid, long SealRandEpoch, IReadOnlyList<ulong> DealIds, long Expiration, Cid? UnsealedCid);

/// <summary>A pre-commit on chain: the info, the deposit and when it landed.</summary>
public sealed record SectorPreCommitOnChainInfo(SectorPreCommitInfo Info, TokenAmount PreCommitDeposit, long PreCommitEpoch);

/// <summary>A proven sector (Lotus's <c>SectorOnChainInfo</c>, the fields an SP uses).</summary>
public sealed record SectorOnChainInfo(
    ulong SectorNumber, long SealProof, Cid SealedCid, IReadOnlyList<ulong> DealIds, long Activation, long Expiration,
    TokenAmount InitialPledge);

/// <summary>A storage deal on chain: its proposal and where it stands.</summary>
public sealed record MarketDeal(Filecoin.Chain.DealProposal Proposal, DealState State);

/// <summary>A deal's on-chain state; -1 epochs mean "not yet".</summary>
/// <param name="SectorNumber">The sector it was activated in (0 until then).</param>
/// <param name="SectorStartEpoch">Epoch of activation.</param>
/// <param name="LastUpdatedEpoch">Last payment epoch.</param>
/// <param name="SlashEpoch">Epoch it was slashed.</param>
public sealed record DealState(ulong SectorNumber, long SectorStartEpoch, long LastUpdatedEpoch, long SlashEpoch);
