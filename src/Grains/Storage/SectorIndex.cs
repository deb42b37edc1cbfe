namespace Granary.Grains.Storage;

/// <summary>
/// The cluster's sector index as a plain object (the logic behind <see cref="SectorIndexGrain"/>): which path
/// holds which file of which sector, each path's health from its silo's heartbeats, and where new files fit.
/// Not thread-safe; the grain serializes calls.
/// </summary>
public sealed class SectorIndex
{
    private readonly SectorIndexState _state;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _started;
    private readonly Dictionary<string, IndexedPath> _paths = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Health> _health = new(StringComparer.Ordinal);
    private readonly Dictionary<(SectorId, SectorFileType), List<string>> _locations = [];
    private readonly Dictionary<string, (string? Token, IStorageAgent? Agent)> _silos = new(StringComparer.Ordinal);

    /// <summary>Loads the index from its persisted state (which it then keeps up to date).</summary>
    public SectorIndex(SectorIndexState state, TimeSpan heartbeatTimeout, TimeProvider? time = null)
    {
        _state = state;
        _timeout = heartbeatTimeout;
        _time = time ?? TimeProvider.System;
        // Paths known from before are given one timeout to be heard from again before counting as gone.
        _started = _time.GetUtcNow();
        foreach (var path in state.Paths)
        {
            _paths[path.Info.Id] = path;
            foreach (var d in path.Sectors)
            {
                AddLocation(d.Sector, d.FileType, path.Info.Id);
            }
        }
    }

    /// <summary>The state to persist.</summary>
    public SectorIndexState State => _state;

    /// <summary>
    /// Records a path attached by a silo, with the sector files found on it (replacing what was declared
    /// before, as lotus's redeclare with drop-missing does).
    /// </summary>
    /// <exception cref="SectorStorageException">Another live silo, or another directory, holds a path with this ID.</exception>
    public void Attach(StoragePathInfo info, FsStat stat, IEnumerable<SectorDeclaration> sectors)
    {
        if (_paths.TryGetValue(info.Id, out var existing))
        {
            var other = existing.Info;
            if ((other.Silo != info.Silo || other.LocalPath != info.LocalPath)
                && _health.TryGetValue(info.Id, out var health) && health.LastHeartbeat is not null && IsAvailable(info.Id))
            {
                throw new SectorStorageException($"storage path {info.Id} is already attached on silo {other.Silo} at {other.LocalPath}; "
                    + $"{info.LocalPath} on {info.Silo} has the same ID in its sectorstore.json (a copied path?). Give it a new ID or detach the other.");
            }

            RemoveLocations(existing);
            existing.Info = info;
            existing.Sectors = [.. sectors.DistinctBy(d => (d.Sector, d.FileType))];
        }
        else
        {
            existing = new IndexedPath { Info = info, Sectors = [.. sectors.DistinctBy(d => (d.Sector, d.FileType))] };
            _paths[info.Id] = existing;
            _state.Paths.Add(existing);
        }

        foreach (var d in existing.Sectors)
        {
            AddLocation(d.Sector, d.FileType, info.Id);
        }

        _health[info.Id] = new Health(stat, _time.GetUtcNow(), null);
    }

    /// <summary>Forgets a path and its sector files. Returns false if it was not known.</summary>
    public bool Detach(string pathId)
    {
        if (!_paths.Remove(pathId, out var path))
        {
            return false;
        }

        RemoveLocations(path);
        _state.Paths.Remove(path);
        _health.Remove(pathId);
        return true;
    }

    /// <summary>
    /// Takes a silo's heartbeat. Returns the IDs of reported paths the index doesn't have for that silo, which
    /// the silo then attaches again (after the index's state was lost, or a path moved between silos).
    /// </summary>
    public IReadOnlyList<string> Heartbeat(SiloStorageReport report)
    {
        _silos[report.Silo] = (report.FetchToken, report.Agent);
        var now = _time.GetUtcNow();
        var unknown = new List<string>();
        foreach (var p in report.Paths)
        {
            if (_paths.TryGetValue(p.PathId, out var path) && path.Info.Silo == report.Silo)
            {
                _health[p.PathId] = new Health(p.Stat, now, p.Error);
            }
            else
            {
                unknown.Add(p.PathId);
            }
        }

        return unknown;
    }

    /// <summary>Declares a sector file on a path. Returns false if it was already declared as such.</summary>
    /// <exception cref="SectorStorageException">The path is not attached.</exception>
    public bool Declare(string pathId, SectorId sector, SectorFileType fileType, bool primary)
    {
        var path = Path(pathId);
        var changed = false;
        foreach (var type in fileType.Split())
        {
            var index = path.Sectors.FindIndex(d => d.Sector == sector && d.FileType == type);
            if (index >= 0 && path.Sectors[index].Primary == primary)
            {
                continue;
            }

            changed = true;
            var declaration = new SectorDeclaration(sector, type, primary);
            if (index >= 0)
            {
                path.Sectors[index] = declaration;
                continue;
            }

            path.Sectors.Add(declaration);
            AddLocation(sector, type, pathId);
        }

        return changed;
    }

    /// <summary>Drops a sector file from a path. Returns false if it was not declared there.</summary>
    public bool Drop(string pathId, SectorId sector, SectorFileType fileType)
    {
        if (!_paths.TryGetValue(pathId, out var path))
        {
            return false;
        }

        var removed = false;
        foreach (var type in fileType.Split())
        {
            if (path.Sectors.RemoveAll(d => d.Sector == sector && d.FileType == type) > 0)
            {
                removed = true;
                if (_locations.TryGetValue((sector, type), out var ids))
                {
                    ids.Remove(pathId);
                    if (ids.Count == 0)
                    {
                        _locations.Remove((sector, type));
                    }
                }
            }
        }

        return removed;
    }

    /// <summary>
    /// Where a sector file is: every path declaring it, reachable ones first, then the primary copy, then by weight.
    /// </summary>
    public IReadOnlyList<SectorLocation> Find(SectorId sector, SectorFileType fileType)
    {
        var type = Single(fileType);
        if (!_locations.TryGetValue((sector, type), out var ids))
        {
            return [];
        }

        return [.. ids.Select(id =>
            {
                var path = _paths[id];
                var info = path.Info;
                var primary = path.Sectors.First(d => d.Sector == sector && d.FileType == type).Primary;
                return new SectorLocation(id, info.Silo, $"{info.Url}/{type.Name()}/{sector.Name}", info.Url, info.Config.Weight,
                    info.Config.CanSeal, info.Config.CanStore, primary, IsAvailable(id), _silos.GetValueOrDefault(info.Silo).Token);
            })
            .OrderByDescending(l => l.Available)
            .ThenByDescending(l => l.Primary)
            .ThenByDescending(l => l.Weight)
            .ThenBy(l => l.PathId, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The paths that can take <paramref name="size"/> new bytes of <paramref name="fileType"/> for
    /// <paramref name="pathType"/>, best first (most free space times weight, as lotus orders them). A path is
    /// left out when it is unavailable, has no capacity report yet, lacks room, has weight 0 (read-only), or its
    /// type, miner or group rules exclude the file.
    /// </summary>
    /// <param name="allowedGroups">When not empty, only paths in one of these groups (the source path's AllowTo).</param>
    public IReadOnlyList<StoragePathStatus> BestAllocation(SectorFileType fileType, PathType pathType, long size,
        ulong? miner = null, IReadOnlyList<string>? allowedGroups = null)
    {
        return [.. _paths.Values
            .Where(p => p.Info.Config.Serves(pathType)
                && p.Info.Config.Weight > 0
                && fileType.Split().All(p.Info.Config.Allows)
                && (miner is null || p.Info.Config.AllowsMiner(miner.Value))
                && (allowedGroups is not { Count: > 0 } || p.Info.Config.Groups.Any(g => allowedGroups.Contains(g, StringComparer.Ordinal)))
                && IsAvailable(p.Info.Id)
                && _health.TryGetValue(p.Info.Id, out var h) && h.Stat is { } stat && stat.Available >= size)
            .Select(p => Status(p))
            .OrderByDescending(s => (Int128)s.Stat!.Available * s.Info.Config.Weight)
            .ThenBy(s => s.Info.Id, StringComparer.Ordinal)];
    }

    /// <summary>Every path with its health, by silo then ID.</summary>
    public IReadOnlyList<StoragePathStatus> List() =>
        [.. _paths.Values.Select(Status).OrderBy(s => s.Info.Silo, StringComparer.Ordinal).ThenBy(s => s.Info.Id, StringComparer.Ordinal)];

    /// <summary>One path with its health.</summary>
    /// <exception cref="SectorStorageException">Unknown path.</exception>
    public StoragePathStatus Status(string pathId) => Status(Path(pathId));

    /// <summary>The sector files declared on a path.</summary>
    /// <exception cref="SectorStorageException">Unknown path.</exception>
    public IReadOnlyList<SectorDeclaration> Sectors(string pathId) => [.. Path(pathId).Sectors];

    /// <summary>A silo's storage agent, from its latest heartbeat (null if it hasn't reported since the index started).</summary>
    public IStorageAgent? Agent(string silo) => _silos.GetValueOrDefault(silo).Agent;

    private StoragePathStatus Status(IndexedPath path)
    {
        var health = _health.GetValueOrDefault(path.Info.Id);
        var counts = new SectorFileCounts(
            path.Sectors.Count(d => d.FileType == SectorFileType.Unsealed),
            path.Sectors.Count(d => d.FileType == SectorFileType.Sealed),
            path.Sectors.Count(d => d.FileType == SectorFileType.Cache));
        return new StoragePathStatus(path.Info, health?.Stat, health?.LastHeartbeat, health?.Error, IsAvailable(path.Info.Id), counts);
    }

    private bool IsAvailable(string pathId)
    {
        var health = _health.GetValueOrDefault(pathId);
        var last = health?.LastHeartbeat ?? _started;
        return health?.Error is null && _time.GetUtcNow() - last <= _timeout;
    }

    private IndexedPath Path(string pathId) => _paths.TryGetValue(pathId, out var path)
        ? path
        : throw new SectorStorageException($"storage path {pathId} is not attached to the sector index");

    private void AddLocation(SectorId sector, SectorFileType type, string pathId)
    {
        if (!_locations.TryGetValue((sector, type), out var ids))
        {
            _locations[(sector, type)] = ids = [];
        }

        if (!ids.Contains(pathId, StringComparer.Ordinal))
        {
            ids.Add(pathId);
        }
    }

    private void RemoveLocations(IndexedPath path)
    {
        foreach (var d in path.Sectors)
        {
            if (_locations.TryGetValue((d.Sector, d.FileType), out var ids))
            {
                ids.Remove(path.Info.Id);
                if (ids.Count == 0)
                {
                    _locations.Remove((d.Sector, d.FileType));
                }
            }
        }
    }

    private static SectorFileType Single(SectorFileType type) => type is SectorFileType.Unsealed or SectorFileType.Sealed or SectorFileType.Cache
        ? type
        : throw new SectorStorageException($"find one sector file type at a time (unsealed, sealed or cache), not '{type}'");

    private sealed record Health(FsStat? Stat, DateTimeOffset? LastHeartbeat, string? Error);
}
