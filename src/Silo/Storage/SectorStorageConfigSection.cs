using Granary.Silo.Configuration;
using Granary.Silo.Sealing;

namespace Granary.Silo.Storage;

/// <summary>
/// Reads <c>[SectorStorage]</c>: <c>RemoteUrl</c> (where other silos fetch this silo's sector files; empty = derived
/// from <c>[API] ListenAddress</c>), <c>HeartbeatInterval</c> and <c>HeartbeatTimeout</c> (Go durations such as <c>10s</c>).
/// </summary>
internal static class SectorStorageConfigSection
{
    private const string Section = "SectorStorage";

    /// <summary>The shortest heartbeat interval accepted.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    /// <summary>The longest heartbeat interval or timeout accepted.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(1);

    public static SectorStorageConfig Read(ConfigDocument r, SectorStorageConfig d)
    {
        var url = r.String(Section, "RemoteUrl", d.RemoteUrl, v =>
        {
            if (v.Length > 0 && (!Uri.TryCreate(v, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || uri.Query.Length > 0 || uri.Fragment.Length > 0 || v.EndsWith('/')))
            {
                throw new FormatException($"'{v}' must be an http(s) URL without a trailing slash, e.g. \"http://10.0.2.11:2345/remote\"");
            }
        });
        var interval = Duration(r, "HeartbeatInterval", d.HeartbeatInterval);
        var timeout = Duration(r, "HeartbeatTimeout", d.HeartbeatTimeout);
        if (timeout <= interval)
        {
            r.Problem(Section, r.IsSet(Section, "HeartbeatTimeout") ? "HeartbeatTimeout" : "HeartbeatInterval",
                $"[{Section}] HeartbeatTimeout ({GoDuration.Format(timeout)}) must be longer than HeartbeatInterval ({GoDuration.Format(interval)})");
        }

        return new SectorStorageConfig(url, interval, timeout);
    }

    private static TimeSpan Duration(ConfigDocument r, string key, TimeSpan fallback)
    {
        var value = fallback;
        r.String(Section, key, $"{(long)fallback.TotalSeconds}s", v =>
        {
            value = GoDuration.Parse(v);
            if (value < MinInterval || value > MaxDuration)
            {
                throw new FormatException($"'{v}' must be from 1s to 1h");
            }
        });
        return value;
    }
}
