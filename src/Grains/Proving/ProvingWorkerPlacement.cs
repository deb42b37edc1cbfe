using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Granary.Grains.Proving;

/// <summary>
/// Places a grain keyed by a silo address (<c>SiloAddress.ToParsableString()</c>) on that silo and nowhere else,
/// as the sealing workers are placed; <see cref="ProvingWorkerPlacementDirector"/> implements it.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("granary.ProvingWorkerPlacement")]
public sealed class ProvingWorkerPlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static ProvingWorkerPlacement Instance { get; } = new();
}

/// <summary>Marks a grain class for <see cref="ProvingWorkerPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ProvingWorkerPlacementAttribute() : PlacementAttribute(ProvingWorkerPlacement.Instance);

/// <summary>
/// Picks the silo a <see cref="ProvingWorkerPlacement"/> grain's key names if it is among the candidates the
/// placement filters left (active mining silos); otherwise the call fails with
/// <see cref="ProvingWorkerUnavailableException"/> rather than landing on a silo without the sector's files.
/// </summary>
public sealed class ProvingWorkerPlacementDirector : IPlacementDirector
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
            throw new ProvingWorkerUnavailableException(key, "the key is not a silo address");
        }

        return context.GetCompatibleSilos(target).Contains(wanted)
            ? Task.FromResult(wanted)
            : throw new ProvingWorkerUnavailableException(key, "no active mining silo has that address");
    }
}
