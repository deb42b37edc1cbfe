namespace Granary.Grains.Sealing.Workers;

/// <summary>One row of a silo's resource table: what a task type claims for one sector size.</summary>
/// <param name="Type">The task type.</param>
/// <param name="ProofTypeId">The seal proof type id (Filecoin's <c>RegisteredSealProof</c>).</param>
/// <param name="SectorSize">Its sector size name.</param>
/// <param name="Resources">The claim.</param>
/// <param name="MaxParallel">At most this many of the type at once; 0: no limit but resources.</param>
[GenerateSerializer, Immutable, Alias("granary.SealingTaskProfile")]
public sealed record SealingTaskProfile(
    [property: Id(0)] SealingTaskType Type,
    [property: Id(1)] int ProofTypeId,
    [property: Id(2)] string SectorSize,
    [property: Id(3)] TaskResources Resources,
    [property: Id(4)] int MaxParallel);
