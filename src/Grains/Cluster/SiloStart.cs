namespace Granary.Grains.Cluster;

/// <summary>One silo start, as recorded in the cluster's history.</summary>
[GenerateSerializer, Immutable, Alias("granary.SiloStart")]
public sealed record SiloStart(
    [property: Id(0)] string SiloName,
    [property: Id(1)] string Address,
    [property: Id(2)] string Subsystems,
    [property: Id(3)] string Version,
    [property: Id(4)] DateTimeOffset StartedAt);
