namespace Granary.Grains.Storage;

/// <summary>Limits of <see cref="SectorFetcher"/>.</summary>
public sealed class SectorFetcherOptions
{
    /// <summary>Largest file accepted when the caller gives no smaller limit (a 64 GiB sector's tree is 128 GiB).</summary>
    public long MaxBytes { get; set; } = 160L << 30;

    /// <summary>A transfer that delivers no byte for this long is abandoned (and resumed on the next attempt).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The whole fetch of one file or cache directory, every attempt included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Attempts per file; each after the first resumes where the previous one stopped.</summary>
    public int Attempts { get; set; } = 4;

    /// <summary>Most files accepted in a cache directory listing.</summary>
    public int MaxCacheFiles { get; set; } = 4096;
}
