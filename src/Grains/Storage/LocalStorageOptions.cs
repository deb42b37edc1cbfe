namespace Granary.Grains.Storage;

/// <summary>How a silo's <see cref="LocalStorage"/> is set up.</summary>
public sealed class LocalStorageOptions
{
    /// <summary>The silo's <c>storage.json</c> (in its repo), listing the attached paths.</summary>
    public required string StorageFile { get; init; }

    /// <summary>This silo's name, as the sector index records it.</summary>
    public required string SiloName { get; init; }

    /// <summary>This silo's fetch endpoint as other silos reach it, e.g. <c>http://10.0.2.11:2345/remote</c>.</summary>
    public required string RemoteUrl { get; init; }

    /// <summary>The bearer token this silo's fetch endpoint accepts, handed to other silos through the index.</summary>
    public string? FetchToken { get; init; }

    /// <summary>How often capacity is reported to the sector index (lotus's <c>HeartbeatInterval</c>, 10 s).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);
}
