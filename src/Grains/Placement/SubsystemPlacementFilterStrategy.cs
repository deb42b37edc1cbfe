using Orleans.Metadata;
using Orleans.Placement;
using Orleans.Runtime;

namespace Granary.Grains.Placement;

/// <summary>
/// The placement filter behind <see cref="RequiresSubsystemAttribute"/>. The required subsystem travels
/// in the grain manifest, so every silo (including one that doesn't host the grain) can place it.
/// </summary>
public sealed class SubsystemPlacementFilterStrategy : PlacementFilterStrategy
{
    private const string PropertyKey = "granary.required-subsystem";

    /// <summary>Used by dependency injection; the subsystem is then read from the grain manifest.</summary>
    public SubsystemPlacementFilterStrategy() : base(order: 0)
    {
    }

    /// <summary>Creates the strategy for one subsystem.</summary>
    public SubsystemPlacementFilterStrategy(Subsystem subsystem) : base(order: 0) => Subsystem = subsystem;

    /// <summary>The subsystem a candidate silo must enable.</summary>
    public Subsystem Subsystem { get; private set; }

    /// <inheritdoc />
    public override void AdditionalInitialize(GrainProperties properties)
    {
        var value = GetPlacementFilterGrainProperty(PropertyKey, properties)
            ?? throw new ArgumentException($"Grain manifest has no '{PropertyKey}' property.");
        Subsystem = Enum.Parse<Subsystem>(value);
    }

    /// <inheritdoc />
    protected override IEnumerable<KeyValuePair<string, string>> GetAdditionalGrainProperties(
        IServiceProvider services, Type grainClass, GrainType grainType, IReadOnlyDictionary<string, string> existingProperties)
    {
        yield return new(PropertyKey, Subsystem.ToString());
    }
}
