using Orleans.Placement;

namespace Granary.Grains.Sealing.Workers;

/// <summary>
/// Places a grain keyed by a silo address (<c>SiloAddress.ToParsableString()</c>) on that silo and nowhere
/// else; <see cref="SealingWorkerPlacementDirector"/> implements it.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("granary.SealingWorkerPlacement")]
public sealed class SealingWorkerPlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static SealingWorkerPlacement Instance { get; } = new();
}

/// <summary>Marks a grain class for <see cref="SealingWorkerPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SealingWorkerPlacementAttribute() : PlacementAttribute(SealingWorkerPlacement.Instance);
