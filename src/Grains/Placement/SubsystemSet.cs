using System.Collections.Immutable;

namespace Granary.Grains.Placement;

/// <summary>
/// The subsystems a silo enables, as published in its Orleans silo metadata under <see cref="MetadataKey"/>
/// (a comma-separated list of <see cref="Subsystem"/> names, e.g. <c>Mining,Sealing</c>).
/// </summary>
public sealed record SubsystemSet(ImmutableSortedSet<Subsystem> Items)
{
    /// <summary>The silo metadata key that carries a silo's subsystems.</summary>
    public const string MetadataKey = "granary.subsystems";

    /// <summary>All four subsystems: the monolith.</summary>
    public static SubsystemSet All { get; } = new(ImmutableSortedSet.Create(Enum.GetValues<Subsystem>()));

    /// <summary>Creates a set from the given subsystems.</summary>
    public static SubsystemSet Of(params Subsystem[] items) => new(ImmutableSortedSet.Create(items));

    /// <summary>True if this set enables <paramref name="subsystem"/>.</summary>
    public bool Contains(Subsystem subsystem) => Items.Contains(subsystem);

    /// <summary>The metadata value form: names joined by commas, in enum order.</summary>
    public string ToMetadataValue() => string.Join(',', Items);

    /// <summary>Reads a metadata value; unknown names are ignored so newer silos don't break older ones.</summary>
    public static SubsystemSet FromMetadataValue(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return new(ImmutableSortedSet<Subsystem>.Empty);
        }

        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(name => Enum.TryParse<Subsystem>(name, ignoreCase: false, out var s) ? (Subsystem?)s : null)
            .OfType<Subsystem>();
        return new(ImmutableSortedSet.CreateRange(items));
    }

    /// <inheritdoc />
    public override string ToString() => Items.Count == 0 ? "(none)" : ToMetadataValue();
}
