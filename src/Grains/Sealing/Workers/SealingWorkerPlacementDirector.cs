using Orleans.Runtime.Placement;

namespace Granary.Grains.Sealing.Workers;

/// <summary>
/// Picks the silo a <see cref="SealingWorkerPlacement"/> grain's key names, if it is among the candidates the
/// placement filters left (active silos with the sealing subsystem); otherwise the call fails with
/// <see cref="SealingWorkerUnavailableException"/> rather than landing on another silo.
/// </summary>
public sealed class SealingWorkerPlacementDirector : IPlacementDirector
{
    /// <inheritdoc />
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString() ?? "";
        SiloAddress wanted;
        try
        {
            wanted = SiloAddress.FromParsableString(key);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException)
        {
            throw new SealingWorkerUnavailableException(key, "the key is not a silo address");
        }

        var candidates = context.GetCompatibleSilos(target);
        return candidates.Contains(wanted)
            ? Task.FromResult(wanted)
            : throw new SealingWorkerUnavailableException(key, "no active sealing silo has that address");
    }
}
