using Orleans.Placement;

namespace Granary.Grains.Placement;

/// <summary>
/// Keeps a grain class on silos that enable <paramref name="subsystem"/>. This is a hard filter: with no
/// such silo in the cluster, activation fails with <see cref="SubsystemUnavailableException"/> rather
/// than landing anywhere else.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class RequiresSubsystemAttribute(Subsystem subsystem)
    : PlacementFilterAttribute(new SubsystemPlacementFilterStrategy(subsystem))
{
    /// <summary>The subsystem the grain needs.</summary>
    public Subsystem Subsystem { get; } = subsystem;
}
