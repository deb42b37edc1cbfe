using Granary.Proofs;
using Granary.Proofs.Trees;

namespace Granary.Grains.Storage;

/// <summary>
/// How many bytes each sector file type takes, for reserving space before a task writes them. The figures
/// for Granary's built-in engine come from <see cref="Sealing"/> (while a sector is sealed) and
/// <see cref="Finalized"/> (after finalize); callers with exact sizes use the constructor.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.SectorSpace")]
public sealed record SectorSpace(
    [property: Id(0)] long Unsealed,
    [property: Id(1)] long Sealed,
    [property: Id(2)] long Cache)
{
    /// <summary>Nothing to reserve.</summary>
    public static SectorSpace None { get; } = new(0, 0, 0);

    /// <summary>The bytes for one file type.</summary>
    public long For(SectorFileType type) => type switch
    {
        SectorFileType.Unsealed => Unsealed,
        SectorFileType.Sealed => Sealed,
        SectorFileType.Cache => Cache,
        _ => throw new ArgumentException($"'{type}' is not a single sector file type", nameof(type)),
    };

    /// <summary>The bytes for every type in <paramref name="types"/>.</summary>
    public long Total(SectorFileType types) => types.Split().Sum(For);

    /// <summary>
    /// While sealing: the unsealed data and the replica are one sector each; the cache holds every SDR layer
    /// plus trees D, C and R-last (each a full binary tree over the sector) and p_aux.
    /// </summary>
    public static SectorSpace Sealing(SealProofType proof) => new(
        proof.SectorSize,
        proof.SectorSize,
        (proof.Layers * proof.SectorSize) + (3 * MerkleTree.StoredBytes(proof.Nodes)) + PAuxBytes);

    /// <summary>After finalize: the cache keeps only tree R-last and p_aux, which proving reads.</summary>
    public static SectorSpace Finalized(SealProofType proof) => new(
        proof.SectorSize,
        proof.SectorSize,
        MerkleTree.StoredBytes(proof.Nodes) + PAuxBytes);

    // CommC ‖ CommR-last.
    private const long PAuxBytes = 64;
}
