namespace Granary.Grains.Storage;

/// <summary>Settings of the sector index (<c>[SectorStorage]</c> in config.toml).</summary>
public sealed class SectorIndexOptions
{
    /// <summary>
    /// A path whose silo has not reported for this long is unavailable: not offered for allocation, and its
    /// files are listed as unreachable. Three missed heartbeats by default, as lotus's
    /// <c>SkippedHeartbeatThresh</c>.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
