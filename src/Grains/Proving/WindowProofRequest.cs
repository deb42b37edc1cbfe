namespace Granary.Grains.Proving;

/// <summary>What a proving worker proves for a WindowPoSt: some partitions' provable sectors, with the deadline's challenge.</summary>
/// <param name="Miner">The miner's actor id.</param>
/// <param name="Deadline">The deadline index (for logs).</param>
/// <param name="Partitions">The partitions these sectors belong to (for logs).</param>
/// <param name="Sectors">The sectors to prove, in ascending order of number.</param>
/// <param name="Randomness">The WindowedPoStChallengeSeed randomness at the deadline's challenge epoch.</param>
[GenerateSerializer, Immutable, Alias("granary.WindowProofRequest")]
public sealed record WindowProofRequest(
    [property: Id(0)] ulong Miner,
    [property: Id(1)] ulong Deadline,
    [property: Id(2)] ulong[] Partitions,
    [property: Id(3)] ProvingSector[] Sectors,
    [property: Id(4)] byte[] Randomness);

/// <summary>A computed WindowPoSt: the proof of the sectors proven and the sectors skipped, with why.</summary>
/// <param name="Proof">The proof bytes, covering <see cref="Proven"/> in order.</param>
/// <param name="Proven">The sectors proven, ascending.</param>
/// <param name="Skipped">The sectors that could not be proven (declared faulty by the proof).</param>
/// <param name="Silo">The silo that computed it.</param>
/// <param name="Seconds">How long the checks and the proof took.</param>
[GenerateSerializer, Immutable, Alias("granary.WindowProof")]
public sealed record WindowProof(
    [property: Id(0)] byte[] Proof,
    [property: Id(1)] ulong[] Proven,
    [property: Id(2)] SectorCheck[] Skipped,
    [property: Id(3)] string Silo,
    [property: Id(4)] double Seconds);

/// <summary>What a proving worker proves for a WinningPoSt: the challenged sector and the election's randomness.</summary>
/// <param name="Miner">The miner's actor id.</param>
/// <param name="Epoch">The epoch won.</param>
/// <param name="Sector">The challenged sector.</param>
/// <param name="Randomness">The WinningPoStChallengeSeed randomness of the epoch.</param>
[GenerateSerializer, Immutable, Alias("granary.WinningProofRequest")]
public sealed record WinningProofRequest(
    [property: Id(0)] ulong Miner,
    [property: Id(1)] long Epoch,
    [property: Id(2)] ProvingSector Sector,
    [property: Id(3)] byte[] Randomness);

/// <summary>A computed WinningPoSt, checked with the engine's verifier.</summary>
/// <param name="Verified">The proof verifies for the sector's CommR.</param>
/// <param name="ProofBytes">The proof's size.</param>
/// <param name="Reason">Why it could not be computed or does not verify (null when <see cref="Verified"/>).</param>
/// <param name="Silo">The silo that computed it.</param>
/// <param name="Seconds">How long it took.</param>
[GenerateSerializer, Immutable, Alias("granary.WinningProof")]
public sealed record WinningProof(
    [property: Id(0)] bool Verified,
    [property: Id(1)] int ProofBytes,
    [property: Id(2)] string? Reason,
    [property: Id(3)] string Silo,
    [property: Id(4)] double Seconds);
