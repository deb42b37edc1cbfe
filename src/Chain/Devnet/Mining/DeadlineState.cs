using System.Text.Json.Serialization;
using Granary.Chain.Model;

namespace Granary.Chain.Devnet.Mining;

/// <summary>One of the 48 deadlines, as persisted: its partitions and which were proven in the current period.</summary>
public sealed class DeadlineState
{
    /// <summary>Partitions in index order.</summary>
    public List<PartitionState> Partitions { get; set; } = [];

    /// <summary>Partition indexes proven since the deadline last closed.</summary>
    public SortedSet<ulong> PostSubmissions { get; set; } = [];

    /// <summary>Sectors ever assigned here (terminated and expired included), which is what partition filling counts.</summary>
    [JsonIgnore]
    public int TotalSectors => Partitions.Sum(p => p.Sectors.Count);

    /// <summary>Sectors neither terminated nor expired.</summary>
    [JsonIgnore]
    public int LiveSectors => Partitions.Sum(p => p.Live.Count());

    /// <summary>As <c>StateMinerDeadlines</c> returns it (the devnet has no optimistic proofs to dispute).</summary>
    public Deadline ToModel() => new(new BitField(PostSubmissions), 0);
}
