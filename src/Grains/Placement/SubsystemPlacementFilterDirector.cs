using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Granary.Grains.Placement;

/// <summary>
/// Keeps only candidate silos whose own metadata enables the grain's subsystem. (Orleans' built-in
/// metadata filters compare candidates with the calling silo, which is not what a role needs.)
/// </summary>
public sealed class SubsystemPlacementFilterDirector(ISiloMetadataCache metadata) : IPlacementFilterDirector
{
    /// <inheritdoc />
    public IEnumerable<SiloAddress> Filter(PlacementFilterStrategy filterStrategy, PlacementTarget target, IEnumerable<SiloAddress> silos)
    {
        var required = ((SubsystemPlacementFilterStrategy)filterStrategy).Subsystem;
        var candidates = silos as IReadOnlyCollection<SiloAddress> ?? silos.ToArray();
        var allowed = candidates.Where(silo => Enables(silo, required)).ToArray();
        if (allowed.Length == 0)
        {
            throw new SubsystemUnavailableException(required, target.GrainIdentity.Type.ToString() ?? "?", candidates.Count);
        }

        return allowed;
    }

    private bool Enables(SiloAddress silo, Subsystem required) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(SubsystemSet.MetadataKey, out var value)
        && SubsystemSet.FromMetadataValue(value).Contains(required);
}
