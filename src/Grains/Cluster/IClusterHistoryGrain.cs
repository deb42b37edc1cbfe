namespace Granary.Grains.Cluster;

/// <summary>
/// The cluster's memory of which silos started when, kept in the cluster database. It tells an operator
/// how long the cluster has existed and which machines joined it; one instance, key <c>0</c>.
/// </summary>
[Alias("granary.IClusterHistoryGrain")]
public interface IClusterHistoryGrain : IGrainWithIntegerKey
{
    /// <summary>Records a silo start (written to storage before returning).</summary>
    [Alias("RecordStart")]
    Task RecordStart(SiloStart start);

    /// <summary>The history.</summary>
    [Alias("Get")]
    Task<ClusterHistory> Get();
}
