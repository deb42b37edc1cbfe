using Granary.Proofs.Trees;

namespace Granary.Proofs.Seal;

/// <summary>A node's labels in every layer (its column) with the column's path in tree C.</summary>
public sealed record ColumnOpening(long Node, byte[][] Labels, MerklePath Path);

/// <summary>The vanilla proof for one challenged node.</summary>
/// <param name="Parents">Openings of the node's 6 base and 8 expander parents, in graph order.</param>
public sealed record ChallengeProof(
    long Node, byte[] DataLeaf, MerklePath DataPath, byte[] ReplicaLeaf, MerklePath ReplicaPath, ColumnOpening Column, ColumnOpening[] Parents);

/// <summary>
/// A vanilla PoRep: CommC and CommR-last, and for each challenge the inclusion paths in trees D, C and
/// R-last plus the parents' columns, enough to recompute every label of the challenged node. (Filecoin
/// compresses this into a Groth16 SNARK; Granary ships it as is.)
/// </summary>
public sealed record SealProof(int ProofTypeId, byte[] CommC, byte[] CommRLast, ChallengeProof[] Challenges);

/// <summary>A proof's bytes could not be read: truncated, oversized or inconsistent.</summary>
public sealed class ProofFormatException(string message) : Exception(message);
