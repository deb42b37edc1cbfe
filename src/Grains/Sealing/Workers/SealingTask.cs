using Granary.Grains.Storage;
using Granary.Proofs;

namespace Granary.Grains.Sealing.Workers;

/// <summary>
/// One unit of heavy work submitted to a <see cref="SealingWorkerPool"/>: which stage of which sector and
/// the proof type, which together select its resources.
/// </summary>
/// <param name="Sector">The sector (lotus's <c>SectorID{Miner, Number}</c>). Fair scheduling rotates among sectors.</param>
/// <param name="Type">The stage.</param>
/// <param name="Proof">The seal proof type; its sector size picks the row of the resource table.</param>
public sealed record SealingTask(SectorId Sector, SealingTaskType Type, SealProofType Proof)
{
    /// <inheritdoc />
    public override string ToString() => $"{Type.Name()} of {Sector.Name} ({Proof.Name})";
}
