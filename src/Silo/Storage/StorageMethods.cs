using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Grains.Placement;
using Granary.Grains.Storage;
using Granary.Silo.Api;

namespace Granary.Silo.Storage;

/// <summary>
/// lotus-miner's storage API methods (all <c>admin</c>, as lotus tags them), with lotus's JSON shapes:
/// <c>StorageList</c>, <c>StorageInfo</c>, <c>StorageStat</c>, <c>StorageFindSector</c> answer from the cluster's
/// sector index; <c>StorageLocal</c>, <c>StorageAddLocal</c>, <c>StorageDetachLocal</c> and <c>StorageInit</c>
/// (lotus-worker's) act on this silo's paths.
/// </summary>
internal static class StorageMethods
{
    public static IEnumerable<RpcMethod> Create(LocalStorage? storage, IGrainFactory grains)
    {
        ISectorIndexGrain Index() => grains.GetGrain<ISectorIndexGrain>(0);
        return
        [
            new("Filecoin.StorageList", Permission.Admin, async (_, _) => await Guard(async () =>
            {
                var result = new Dictionary<string, object>(StringComparer.Ordinal);
                foreach (var path in await Index().ListPaths())
                {
                    var sectors = await Index().ListSectors(path.Info.Id);
                    result[path.Info.Id] = sectors
                        .GroupBy(d => d.Sector)
                        .OrderBy(g => g.Key.Miner).ThenBy(g => g.Key.Number)
                        .Select(g => new { g.Key.Miner, g.Key.Number, SectorFileType = (int)g.Aggregate(SectorFileType.None, (t, d) => t | d.FileType) })
                        .ToArray();
                }

                return result;
            })),
            new("Filecoin.StorageInfo", Permission.Admin, async (p, _) => await Guard(async () =>
                Info(await Index().PathStatus(p.Get<string>(0, "id"))))),
            new("Filecoin.StorageStat", Permission.Admin, async (p, _) => await Guard(async () =>
            {
                var id = p.Get<string>(0, "id");
                // This silo's own figures are fresher than its last heartbeat.
                var stat = storage?.PathStatus(id)?.Stat ?? (await Index().PathStatus(id)).Stat
                    ?? throw new SectorStorageException($"storage path {id} has not reported its capacity yet");
                return Stat(stat);
            })),
            new("Filecoin.StorageFindSector", Permission.Admin, async (p, _) => await Guard(async () =>
            {
                var sector = p.Get<SectorRef>(0, "sector");
                var types = (SectorFileType)p.Get<int>(1, "fileType");
                if (types == SectorFileType.None || (types & ~SectorFileTypes.All) != 0)
                {
                    throw new RpcException(RpcException.InvalidParams, $"fileType {(int)types} is not a set of 1 (unsealed), 2 (sealed), 4 (cache)");
                }

                var id = new SectorId(sector.Miner, sector.Number);
                var found = new List<SectorLocation>();
                foreach (var type in types.Split())
                {
                    found.AddRange(await Index().FindSector(id, type));
                }

                return found.GroupBy(l => l.PathId).Select(g =>
                {
                    var first = g.First();
                    return new
                    {
                        ID = g.Key,
                        URLs = g.Select(l => l.Url).ToArray(),
                        BaseURLs = new[] { first.BaseUrl },
                        first.Weight,
                        first.CanSeal,
                        first.CanStore,
                        Primary = g.Any(l => l.Primary),
                        AllowTypes = Array.Empty<string>(),
                        DenyTypes = Array.Empty<string>(),
                        first.Silo,
                        first.Available,
                    };
                }).ToArray();
            })),
            new("Filecoin.StorageLocal", Permission.Admin, (_, _) => Task.FromResult<object?>(
                (storage?.Paths() ?? []).ToDictionary(s => s.Config.Id, s => s.Root))),
            new("Filecoin.StorageAddLocal", Permission.Admin, async (p, ct) => await Guard(async () =>
            {
                var path = await Local(storage).AttachAsync(p.Get<string>(0, "path"), ct);
                return new { ID = path.Config.Id, Path = path.Root, path.Config.Use };
            })),
            new("Filecoin.StorageDetachLocal", Permission.Admin, async (p, ct) => await Guard(async () =>
            {
                await Local(storage).DetachAsync(p.Get<string>(0, "path"), ct);
                return null;
            })),
            new("Filecoin.StorageInit", Permission.Admin, (p, _) =>
            {
                var target = p.Get<string>(0, "path");
                var config = Meta(p.Get<JsonElement>(1, "opts"));
                Local(storage);
                return Guard(() => Task.FromResult<object?>(JsonNode.Parse(LocalStorage.Initialize(target, config).ToJson())));
            }),
        ];
    }

    /// <summary>lotus's <c>abi.SectorID</c> as JSON.</summary>
    private sealed record SectorRef(ulong Miner, ulong Number);

    private static object Info(StoragePathStatus status)
    {
        var c = status.Info.Config;
        return new
        {
            ID = c.Id,
            URLs = new[] { status.Info.Url },
            c.Weight,
            c.MaxStorage,
            c.CanSeal,
            c.CanStore,
            c.Groups,
            c.AllowTo,
            c.AllowTypes,
            c.DenyTypes,
            c.AllowMiners,
            c.DenyMiners,
            // Granary's additions: where the path is and whether its silo is heard from.
            status.Info.Silo,
            status.Info.LocalPath,
            status.Available,
            status.LastHeartbeat,
            HeartbeatErr = status.Error,
        };
    }

    private static object Stat(FsStat s) => new { s.Capacity, s.Available, FSAvailable = s.FsAvailable, s.Reserved, s.Max, s.Used };

    // lotus-worker's StorageInit takes a LocalStorageMeta; an empty or missing ID gets a fresh UUID.
    private static StoragePathConfig Meta(JsonElement opts)
    {
        if (JsonNode.Parse(opts.GetRawText()) is not JsonObject meta)
        {
            throw new RpcException(RpcException.InvalidParams, "opts must be a sectorstore.json object {\"Weight\":10,\"CanSeal\":true,...}");
        }

        var id = meta.FirstOrDefault(kv => string.Equals(kv.Key, "ID", StringComparison.OrdinalIgnoreCase));
        if (id.Key is null || id.Value is null || (id.Value.GetValueKind() == JsonValueKind.String && id.Value.GetValue<string>().Length == 0))
        {
            if (id.Key is not null)
            {
                meta.Remove(id.Key);
            }

            meta["ID"] = Guid.NewGuid().ToString();
        }

        try
        {
            var config = StoragePathConfig.Parse(JsonSerializer.SerializeToUtf8Bytes(meta), "opts");
            return config.CanSeal || config.CanStore ? config
                : throw new SectorStorageException("a storage path must allow sealing (CanSeal), long-term storage (CanStore) or both");
        }
        catch (SectorStorageException e)
        {
            throw new RpcException(RpcException.InvalidParams, e.Message);
        }
    }

    private static LocalStorage Local(LocalStorage? storage) => storage ?? throw new RpcException(RpcException.MethodError,
        "this silo runs no sector storage ([Subsystems] EnableSectorStorage, EnableSealing and EnableMining are all false); "
        + "attach paths on a sealing, proving or storage silo");

    // Refusals are the caller's answer, not a server fault: reported as a method error, not logged as one.
    private static async Task<object?> Guard(Func<Task<object?>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is SectorStorageException or SubsystemUnavailableException)
        {
            throw new RpcException(RpcException.MethodError, e.Message);
        }
    }
}
