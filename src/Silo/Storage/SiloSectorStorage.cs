using Granary.Grains.Storage;
using Granary.Silo.Api;
using Granary.Silo.Configuration;
using Granary.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Storage;

/// <summary>
/// Sector storage on a granary silo. The rule: a silo runs <see cref="LocalStorage"/> (attached paths, the
/// <c>/remote</c> fetch endpoint, heartbeats to the index) when it touches sector files, i.e. when it enables
/// <c>EnableSectorStorage</c>, <c>EnableSealing</c> (scratch paths) or <c>EnableMining</c> (proving reads sealed
/// sectors). A markets-only silo has none. The sector index grain itself runs only on silos with
/// <c>EnableSectorStorage</c>.
/// </summary>
public static class SiloSectorStorage
{
    /// <summary>Whether a silo with these subsystems runs local storage.</summary>
    public static bool IsEnabled(SubsystemsConfig subsystems) =>
        subsystems.EnableSectorStorage || subsystems.EnableSealing || subsystems.EnableMining;

    /// <summary>
    /// Where other silos fetch this silo's files: <c>[SectorStorage] RemoteUrl</c>, else
    /// <c>http://HOST:PORT/remote</c> from <c>[API] ListenAddress</c> (<c>[Cluster] AdvertisedAddress</c> standing in
    /// for a wildcard host).
    /// </summary>
    public static string RemoteUrl(GranaryConfig config)
    {
        if (config.SectorStorage.RemoteUrl.Length > 0)
        {
            return config.SectorStorage.RemoteUrl;
        }

        var api = config.Api.Endpoint;
        var host = api.Host is "0.0.0.0" or "::" ? config.Cluster.AdvertisedAddress : api.Host;
        return $"http://{(host.Contains(':') ? $"[{host}]" : host)}:{api.Port}/remote";
    }

    /// <summary>
    /// Registers local storage (when <see cref="IsEnabled"/>), the <c>/remote</c> endpoint and the index's
    /// heartbeat timeout on a silo. The fetch token other silos present is an admin token of this silo's repo.
    /// </summary>
    public static ISiloBuilder AddGranarySectorStorage(this ISiloBuilder silo, SiloIdentity identity)
    {
        var config = identity.Config;
        silo.ConfigureSectorIndex(config.SectorStorage.HeartbeatTimeout);
        if (IsEnabled(config.Subsystems))
        {
            var storageFile = Path.Combine(identity.Repo.Root, StorageConfigFile.FileName);
            try
            {
                // Checked before the silo starts, so a broken storage.json is one line, not a failed start.
                _ = StorageConfigFile.Read(storageFile);
            }
            catch (SectorStorageException e)
            {
                throw new IOException(e.Message, e);
            }

            silo.AddLocalStorage(sp => new LocalStorageOptions
            {
                StorageFile = storageFile,
                SiloName = identity.SiloName,
                RemoteUrl = RemoteUrl(config),
                FetchToken = sp.GetRequiredService<ApiToken>().Issue([Permission.Admin]),
                HeartbeatInterval = config.SectorStorage.HeartbeatInterval,
            });
        }

        silo.Services.AddSingleton(sp => new RemoteSectorEndpoint(
            sp.GetService<LocalStorage>(), sp.GetRequiredService<ApiToken>(), sp.GetRequiredService<ILogger<RemoteSectorEndpoint>>()));
        return silo;
    }
}
