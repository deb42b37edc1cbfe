namespace Granary.Grains.Sealing.Workers;

/// <summary>An amount of a silo's sealing resources: its capacity, or what running tasks hold of it.</summary>
/// <param name="Cores">Cores.</param>
/// <param name="Memory">Bytes of memory.</param>
/// <param name="GpuSlots">GPU slots.</param>
[GenerateSerializer, Immutable, Alias("granary.MachineResources")]
public sealed record MachineResources(
    [property: Id(0)] int Cores,
    [property: Id(1)] long Memory,
    [property: Id(2)] int GpuSlots)
{
    /// <summary>Nothing.</summary>
    public static MachineResources None { get; } = new(0, 0, 0);

    /// <summary>The sum of two amounts.</summary>
    public MachineResources Plus(MachineResources other) => new(Cores + other.Cores, Memory + other.Memory, GpuSlots + other.GpuSlots);

    /// <summary>The difference of two amounts.</summary>
    public MachineResources Minus(MachineResources other) => new(Cores - other.Cores, Memory - other.Memory, GpuSlots - other.GpuSlots);

    /// <summary>True if <paramref name="claim"/> fits within this amount.</summary>
    public bool Holds(MachineResources claim) => claim.Cores <= Cores && claim.Memory <= Memory && claim.GpuSlots <= GpuSlots;
}
