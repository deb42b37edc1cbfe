using Granary.Chain.Model;

namespace Granary.Chain.Devnet.Mining;

/// <summary>
/// The chain's randomness for this miner, supplied by the caller: Filecoin draws
/// <see cref="DomainSeparationTag.SealRandomness"/> and <see cref="DomainSeparationTag.PoStChainCommit"/> from
/// tickets, <see cref="DomainSeparationTag.InteractiveSealChallengeSeed"/> and
/// <see cref="DomainSeparationTag.WindowedPoStChallengeSeed"/> from the beacon, with the miner's address (CBOR)
/// as entropy for all but <see cref="DomainSeparationTag.PoStChainCommit"/> (no entropy). It must give the SP
/// the same bytes through <c>StateGetRandomnessFrom…</c>, or honest proofs will not verify.
/// </summary>
public delegate byte[] ChainRandomness(DomainSeparationTag tag, long epoch);
