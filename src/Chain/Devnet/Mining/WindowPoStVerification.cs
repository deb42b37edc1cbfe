using Granary.Proofs.PoSt;

namespace Granary.Chain.Devnet.Mining;

/// <summary>
/// Everything a WindowPoSt verifier needs: <see cref="MinerProofs.VerifyWindowPoSt(WindowPoStVerification)"/> checks it with the real engine.
/// </summary>
/// <param name="SealProof">Registered seal proof id of the miner's sectors.</param>
/// <param name="WindowPoStProofType">Registered WindowPoSt proof id.</param>
/// <param name="ProverId">The miner's prover id (32 bytes).</param>
/// <param name="Randomness">WindowedPoStChallengeSeed randomness at <paramref name="ChallengeEpoch"/>.</param>
/// <param name="ChallengeEpoch">The deadline's challenge epoch (Open − WPoStChallengeLookback).</param>
/// <param name="Sectors">The sectors the proof must cover, by ascending number, with their CommR.</param>
/// <param name="Proof">The proof bytes.</param>
public sealed record WindowPoStVerification(
    long SealProof, long WindowPoStProofType, byte[] ProverId, byte[] Randomness, long ChallengeEpoch,
    IReadOnlyList<PoStPublicSector> Sectors, byte[] Proof);
