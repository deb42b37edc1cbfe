namespace Granary.Proofs.Seal;

/// <summary>What PreCommit1 produced: the replica id and CommD the later stages need.</summary>
public sealed record PreCommit1Output(int ProofTypeId, byte[] ReplicaId, byte[] CommD);

/// <summary>What PreCommit2 produced: the sealed commitment and its two halves.</summary>
public sealed record PreCommit2Output(byte[] CommR, byte[] CommC, byte[] CommRLast);

/// <summary>What a verifier needs to check a seal proof (all of it public, from the chain).</summary>
public sealed record SealVerifyInfo(
    SealProofType ProofType, byte[] ProverId, ulong SectorNumber, byte[] Ticket, byte[] Seed, byte[] CommD, byte[] CommR);

/// <summary>Fraction of a stage done (0–1), with the stage's name.</summary>
public readonly record struct StageProgress(string Stage, double Fraction);
