namespace Granary.Grains.Sectors;

/// <summary>
/// The cluster's staging routes by silo name (key 0), kept in memory: each markets silo registers its route at start
/// and again every <see cref="RefreshPeriod"/>, so the list comes back within that after the grain moves.
/// </summary>
[Alias("granary.IStagingEndpointGrain")]
public interface IStagingEndpointGrain : IGrainWithIntegerKey
{
    /// <summary>How often silos register their route again.</summary>
    public static TimeSpan RefreshPeriod { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Registers (or replaces) a silo's staging route.</summary>
    [Alias("Register")]
    Task Register(StagingEndpoint endpoint);

    /// <summary>The silo's staging route, or null when it has not registered one.</summary>
    [Alias("Find")]
    Task<StagingEndpoint?> Find(string silo);
}
