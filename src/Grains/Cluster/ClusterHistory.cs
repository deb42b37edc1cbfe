namespace Granary.Grains.Cluster;

/// <summary>The persisted state of <see cref="IClusterHistoryGrain"/>.</summary>
[GenerateSerializer, Alias("granary.ClusterHistory")]
public sealed class ClusterHistory
{
    /// <summary>How many starts are kept; older ones are counted but dropped.</summary>
    public const int Capacity = 200;

    /// <summary>When the first silo of this cluster started.</summary>
    [Id(0)] public DateTimeOffset? FirstStart { get; set; }

    /// <summary>Every silo start ever recorded, including those dropped from <see cref="Recent"/>.</summary>
    [Id(1)] public long TotalStarts { get; set; }

    /// <summary>The most recent starts, oldest first.</summary>
    [Id(2)] public List<SiloStart> Recent { get; set; } = [];
}
