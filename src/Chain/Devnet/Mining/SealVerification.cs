namespace Granary.Chain.Devnet.Mining;

/// <summary>
/// Everything a seal verifier needs (the Proofs engine's <c>SealVerifyInfo</c> plus the proof), all of it from
/// chain state: <see cref="MinerProofs.VerifySeal(SealVerification)"/> checks it with the real engine.
/// </summary>
/// <param name="SealProof">Registered seal proof id.</param>
/// <param name="ProverId">32 bytes: the miner's actor id as an unsigned varint, zero-padded (Filecoin's prover id).</param>
/// <param name="SectorNumber">The sector.</param>
/// <param name="Ticket">Ticket randomness at <paramref name="SealRandEpoch"/>.</param>
/// <param name="Seed">Interactive seed randomness at <paramref name="SeedEpoch"/>.</param>
/// <param name="CommR">From the pre-commit's sealed CID.</param>
/// <param name="CommD">From the pre-commit's unsealed CID (zeros' CommD for committed capacity).</param>
/// <param name="Proof">The proof bytes.</param>
/// <param name="SealRandEpoch">Epoch of the ticket.</param>
/// <param name="SeedEpoch">Epoch of the seed: pre-commit epoch + PreCommitChallengeDelay.</param>
public sealed record SealVerification(
    long SealProof, byte[] ProverId, ulong SectorNumber, byte[] Ticket, byte[] Seed, byte[] CommR, byte[] CommD, byte[] Proof,
    long SealRandEpoch, long SeedEpoch);
