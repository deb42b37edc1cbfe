using Microsoft.Extensions.Logging;

namespace Granary.Grains.Storage;

/// <summary>
/// This silo's sector storage (lotus's <c>paths.Local</c> with its remote fetch): the attached storage paths
/// (listed in the repo's <c>storage.json</c>, each described by its <c>sectorstore.json</c>), their capacity and
/// the space reserved by running tasks, and the sector files on them, laid out as lotus does:
/// <c>PATH/unsealed/s-t0{miner}-{number}</c>, <c>PATH/sealed/s-t0…</c>, <c>PATH/cache/s-t0…/</c>. It declares
/// files to the cluster's sector index, fetches files it lacks from the silos that have them, and moves
/// finalized sectors to long-term storage. A per-silo service, not a grain: the files are on this machine.
/// </summary>
public sealed partial class LocalStorage : IStorageAgent
{
    /// <summary>The subdirectory of each file type's directory where fetches and moves are assembled.</summary>
    public const string FetchingDirectory = "fetching";

    private readonly LocalStorageOptions _options;
    private readonly Func<ISectorIndexGrain> _index;
    private readonly SectorFetcher _fetcher;
    private readonly ILogger<LocalStorage> _logger;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _attachGate = new(1, 1);
    private readonly List<AttachedPath> _paths = [];
    private readonly List<string> _problems = [];

    /// <summary>Creates the service; <see cref="Open"/> loads the attached paths.</summary>
    /// <param name="options">Where storage.json is and how this silo is reached.</param>
    /// <param name="index">The sector index (on a silo, the <see cref="ISectorIndexGrain"/> with key 0).</param>
    /// <param name="fetcher">Downloads files from other silos.</param>
    /// <param name="logger">The log.</param>
    public LocalStorage(LocalStorageOptions options, Func<ISectorIndexGrain> index, SectorFetcher fetcher, ILogger<LocalStorage> logger)
    {
        _options = options;
        _index = index;
        _fetcher = fetcher;
        _logger = logger;
        Agent = this;
    }

    /// <summary>This silo's name.</summary>
    public string SiloName => _options.SiloName;

    /// <summary>This silo's fetch endpoint as other silos reach it.</summary>
    public string RemoteUrl => _options.RemoteUrl;

    /// <summary>
    /// How other silos reach this one's storage, published in heartbeats: on a silo, an Orleans observer
    /// reference to this object; the object itself by default.
    /// </summary>
    public IStorageAgent Agent { get; set; }

    /// <summary>Paths listed in storage.json that could not be opened, with why (also logged).</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_lock)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>
    /// Loads the paths listed in storage.json. A path that cannot be opened (a missing disk, a broken
    /// sectorstore.json) is logged and left out rather than stopping the silo, so the other paths keep
    /// proving; it stays in storage.json and is opened again on the next start.
    /// </summary>
    /// <exception cref="SectorStorageException">storage.json itself is unreadable or invalid.</exception>
    public void Open()
    {
        foreach (var root in StorageConfigFile.Read(_options.StorageFile))
        {
            try
            {
                var config = StoragePathConfig.Read(root);
                lock (_lock)
                {
                    if (_paths.FirstOrDefault(p => p.Config.Id == config.Id) is { } twin)
                    {
                        throw new SectorStorageException($"{root} has the ID {config.Id} of {twin.Root}; give one of them a new ID");
                    }

                    EnsureLayout(root);
                    _paths.Add(new AttachedPath(root, config));
                }
            }
            catch (Exception e) when (e is SectorStorageException or IOException or UnauthorizedAccessException)
            {
                lock (_lock)
                {
                    _problems.Add($"{root}: {e.Message}");
                }

                LogOpenFailed(root, e.Message);
            }
        }
    }

    /// <summary>
    /// Writes a new <c>sectorstore.json</c> into <paramref name="directory"/> (created if missing), as
    /// <c>storage attach --init</c> does.
    /// </summary>
    /// <exception cref="SectorStorageException">Not an absolute path, or already initialized.</exception>
    public static StoragePathConfig Initialize(string directory, StoragePathConfig config)
    {
        var root = Normalize(directory);
        try
        {
            Directory.CreateDirectory(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SectorStorageException($"{root}: cannot create the directory ({e.Message})", e);
        }

        if (File.Exists(Path.Combine(root, StoragePathConfig.FileName)))
        {
            throw new SectorStorageException($"{root} is already initialized (it has a {StoragePathConfig.FileName}); attach it without --init");
        }

        config.Write(root);
        return config;
    }

    /// <summary>
    /// Attaches a path that has a <c>sectorstore.json</c>: records it in storage.json, lays out its
    /// directories, and declares it and the sector files already on it to the sector index.
    /// </summary>
    /// <exception cref="SectorStorageException">No sectorstore.json, the path or its ID already attached here, or
    /// its ID attached by another live silo.</exception>
    public async Task<LocalPathStatus> AttachAsync(string directory, CancellationToken cancellationToken = default)
    {
        var root = Normalize(directory);
        await _attachGate.WaitAsync(cancellationToken);
        try
        {
            if (!Directory.Exists(root))
            {
                throw new SectorStorageException($"{root} does not exist (use --init to create and initialize it)");
            }

            var config = StoragePathConfig.Read(root);
            AttachedPath path;
            lock (_lock)
            {
                if (_paths.FirstOrDefault(p => p.Root == root) is { } same)
                {
                    throw new SectorStorageException($"{root} is already attached (path {same.Config.Id})");
                }

                if (_paths.FirstOrDefault(p => p.Config.Id == config.Id) is { } twin)
                {
                    throw new SectorStorageException($"{root} has the ID {config.Id} of the attached path {twin.Root} "
                        + "(a copied sectorstore.json?); give one of them a new ID");
                }

                EnsureLayout(root);
                path = new AttachedPath(root, config);
                _paths.Add(path);
            }

            try
            {
                StorageConfigFile.Write(_options.StorageFile, Roots());
                await RegisterAsync(path);
            }
            catch (SectorStorageException)
            {
                lock (_lock)
                {
                    _paths.Remove(path);
                }

                StorageConfigFile.Write(_options.StorageFile, Roots());
                throw;
            }

            LogAttached(root, config.Id, config.Use);
            return Status(path);
        }
        finally
        {
            _attachGate.Release();
        }
    }

    /// <summary>Detaches a path (by directory or ID): drops it from storage.json and the sector index. Its files stay.</summary>
    /// <exception cref="SectorStorageException">No such attached path.</exception>
    public async Task DetachAsync(string directoryOrId, CancellationToken cancellationToken = default)
    {
        await _attachGate.WaitAsync(cancellationToken);
        try
        {
            AttachedPath path;
            lock (_lock)
            {
                path = _paths.FirstOrDefault(p => p.Config.Id == directoryOrId
                        || (Path.IsPathFullyQualified(directoryOrId) && p.Root == Normalize(directoryOrId)))
                    ?? throw new SectorStorageException($"{directoryOrId} is not an attached storage path on silo {SiloName}");
                _paths.Remove(path);
            }

            StorageConfigFile.Write(_options.StorageFile, Roots());
            await _index().DetachPath(path.Config.Id);
        }
        finally
        {
            _attachGate.Release();
        }
    }

    /// <summary>The attached paths with their current capacity.</summary>
    public IReadOnlyList<LocalPathStatus> Paths() => [.. Snapshot().Select(Status)];

    /// <summary>One attached path with its current capacity, or null if it is not attached here.</summary>
    public LocalPathStatus? PathStatus(string pathId) => Snapshot().FirstOrDefault(p => p.Config.Id == pathId) is { } path ? Status(path) : null;

    /// <summary>The local file (or cache directory) of a sector, or null if no attached path holds it.</summary>
    public string? LocalFile(SectorId sector, SectorFileType type) => FindLocal(sector, type).FirstOrDefault().File;

    /// <summary>
    /// A task's hold on a sector's files. Each <paramref name="existing"/> type is found on this silo's paths or,
    /// if absent, fetched from a silo that has it into a <paramref name="pathType"/> path. Each
    /// <paramref name="allocate"/> type gets a place on the best <paramref name="pathType"/> path with room for it
    /// (weighted by free space and weight), with <paramref name="space"/> reserved until the acquisition is
    /// disposed; a file left by an interrupted run of the same task is reused in place.
    /// </summary>
    /// <exception cref="InsufficientSpaceException">No path has room: names the best one, its free bytes and the need.</exception>
    /// <exception cref="SectorStorageException">No suitable path on this silo, or an existing file found nowhere.</exception>
    public async Task<SectorAcquisition> AcquireSectorAsync(SectorId sector, SectorFileType existing, SectorFileType allocate,
        PathType pathType, SectorSpace space, CancellationToken cancellationToken = default)
    {
        if ((existing & allocate) != 0)
        {
            throw new SectorStorageException($"{sector}: {(existing & allocate).Describe()} cannot be both an existing file and a new one");
        }

        var acquisition = new SectorAcquisition(this, sector);
        try
        {
            foreach (var type in existing.Split())
            {
                if (FindLocal(sector, type).FirstOrDefault() is { Path: not null } local)
                {
                    acquisition.Add(type, local.Path.Config.Id, local.File, allocated: false, null);
                }
                else
                {
                    var (pathId, file) = await FetchOneAsync(sector, type, pathType, space.For(type), cancellationToken);
                    acquisition.Add(type, pathId, file, allocated: false, null);
                }
            }

            foreach (var type in allocate.Split())
            {
                var task = $"{type.Name()} file of {sector}";
                AttachedPath path;
                string file;
                Reservation reservation;
                if (FindLocal(sector, type).FirstOrDefault(l => l.Path!.Config.Serves(pathType)) is { Path: not null } partial)
                {
                    (path, file) = (partial.Path, partial.File);
                    reservation = Reserve(path, sector, type, space.For(type), file, task);
                }
                else
                {
                    (path, reservation) = Choose(sector, type, pathType, space.For(type), null, task)!.Value;
                    file = FilePath(path.Root, type, sector);
                }

                if (type == SectorFileType.Cache)
                {
                    Directory.CreateDirectory(file);
                }

                acquisition.Add(type, path.Config.Id, file, allocated: true, reservation);
            }

            return acquisition;
        }
        catch
        {
            acquisition.Dispose();
            throw;
        }
    }

    /// <summary>
    /// After finalize: moves the sector's <paramref name="types"/> files from sealing scratch to long-term
    /// storage, on this silo if one of its <c>CanStore</c> paths has room, else on the best such path of another
    /// silo (which fetches them; then the local copies are deleted). Files already in long-term storage stay;
    /// running it again after an interruption finishes the move. Returns the IDs of the paths now holding them.
    /// </summary>
    /// <exception cref="SectorStorageException">No long-term path in the cluster has room, or every candidate failed.</exception>
    public async Task<IReadOnlyList<string>> MoveToStorageAsync(SectorId sector, SectorFileType types = SectorFileType.Sealed | SectorFileType.Cache,
        CancellationToken cancellationToken = default)
    {
        var stored = new List<string>();
        var remote = SectorFileType.None;
        var sizes = new Dictionary<SectorFileType, long>();
        IReadOnlyList<string> allowTo = [];
        foreach (var type in types.Split())
        {
            var copies = FindLocal(sector, type);
            if (copies.Count == 0)
            {
                continue;
            }

            if (copies.FirstOrDefault(c => c.Path!.Config.CanStore) is { Path: not null } kept)
            {
                // Already in long-term storage (a move that was interrupted after its rename): drop the scratch copies.
                await _index().DeclareSector(kept.Path.Config.Id, sector, type, primary: true);
                await DeleteCopiesAsync(sector, type, copies.Where(c => c != kept));
                stored.Add(kept.Path.Config.Id);
                continue;
            }

            var source = copies[0];
            var size = OnDisk(source.File);
            var task = $"moving the {type.Name()} file of {sector} to long-term storage";
            if (Choose(sector, type, PathType.Storage, size, source.Path!.Config.AllowTo, task, throwIfNone: false) is { } target)
            {
                try
                {
                    MoveLocal(source.File, target.Path.Root, type, sector);
                    await _index().DeclareSector(target.Path.Config.Id, sector, type, primary: true);
                    await DeleteCopiesAsync(sector, type, copies);
                    LogMoved(sector.Name, type.Name(), source.Path.Root, target.Path.Root);
                    stored.Add(target.Path.Config.Id);
                }
                finally
                {
                    Release([target.Reservation]);
                }

                continue;
            }

            remote |= type;
            sizes[type] = size;
            allowTo = source.Path.Config.AllowTo;
        }

        if (remote != SectorFileType.None)
        {
            stored.AddRange(await MoveToOtherSiloAsync(sector, remote, sizes, allowTo, cancellationToken));
        }

        return [.. stored.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Deletes the sector's <paramref name="types"/> files from this silo's paths and drops their declarations;
    /// with <paramref name="everywhere"/>, also from every other silo the index lists a copy on (through its agent).
    /// </summary>
    /// <exception cref="SectorStorageException">Some silo holding a copy could not be asked (it is named); the
    /// copies elsewhere are removed all the same.</exception>
    public async Task RemoveAsync(SectorId sector, SectorFileType types, bool everywhere = false, CancellationToken cancellationToken = default)
    {
        foreach (var type in types.Split())
        {
            await DeleteCopiesAsync(sector, type, FindLocal(sector, type));
        }

        if (!everywhere)
        {
            return;
        }

        var index = _index();
        var holders = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in types.Split())
        {
            holders.UnionWith((await index.FindSector(sector, type)).Select(l => l.Silo).Where(s => s != SiloName));
        }

        var failures = new List<string>();
        foreach (var silo in holders)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var agent = await index.Agent(silo) ?? throw new SectorStorageException("it has not reported since the index started");
                await agent.Remove(sector, types);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add($"{silo}: {e.Message}");
            }
        }

        if (failures.Count > 0)
        {
            throw new SectorStorageException($"removing the {types.Describe()} files of {sector}: {string.Join("; ", failures)}; "
                + "their copies stay until those silos are asked again");
        }
    }

    /// <summary>
    /// Fetches the sector's <paramref name="types"/> files this silo lacks from the silos the index lists into
    /// <paramref name="pathType"/> paths here (reserving <paramref name="space"/> meanwhile), and declares them.
    /// Returns the IDs of the local paths holding them.
    /// </summary>
    /// <exception cref="SectorStorageException">No reachable silo holds a file, no local path has room, or every source failed.</exception>
    public async Task<IReadOnlyList<string>> FetchAsync(SectorId sector, SectorFileType types, PathType pathType, SectorSpace space,
        CancellationToken cancellationToken = default)
    {
        var ids = new List<string>();
        foreach (var type in types.Split())
        {
            if (FindLocal(sector, type).FirstOrDefault(c => c.Path!.Config.Serves(pathType)) is { Path: not null } local)
            {
                ids.Add(local.Path.Config.Id);
                continue;
            }

            ids.Add((await FetchOneAsync(sector, type, pathType, space.For(type), cancellationToken)).PathId);
        }

        return ids;
    }

    /// <summary>
    /// Reports every path's capacity to the sector index, and attaches again any path the index doesn't know
    /// (its state was reset, or it runs where it can't yet see this silo's earlier declarations).
    /// </summary>
    public async Task HeartbeatAsync(CancellationToken cancellationToken = default)
    {
        var paths = Snapshot();
        var report = new SiloStorageReport(SiloName,
            [.. paths.Select(Status).Select(s => new PathHealth(s.Config.Id, s.Stat, s.Error))], _options.FetchToken, Agent);
        var unknown = await _index().Heartbeat(report);
        foreach (var id in unknown)
        {
            if (paths.FirstOrDefault(p => p.Config.Id == id) is { } path)
            {
                try
                {
                    await RegisterAsync(path);
                }
                catch (SectorStorageException e)
                {
                    LogRegisterRefused(path.Root, e.Message);
                }
            }
        }
    }

    /// <summary>The files of a sector's cache directory, for the fetch endpoint's listing.</summary>
    public CacheListing? CacheFiles(SectorId sector)
    {
        if (LocalFile(sector, SectorFileType.Cache) is not { } directory)
        {
            return null;
        }

        return new CacheListing([.. new DirectoryInfo(directory).EnumerateFiles()
            .Where(f => CacheListing.IsValidName(f.Name))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => new CacheFile(f.Name, f.Length))]);
    }

    Task<IReadOnlyList<string>> IStorageAgent.Fetch(SectorId sector, SectorFileType types, PathType pathType, SectorSpace space) =>
        FetchAsync(sector, types, pathType, space);

    Task IStorageAgent.Remove(SectorId sector, SectorFileType types) => RemoveAsync(sector, types);

    internal async Task DeclareAsync(SectorId sector, IEnumerable<(SectorFileType Type, string PathId)> files, CancellationToken cancellationToken)
    {
        foreach (var (type, pathId) in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = Snapshot().FirstOrDefault(p => p.Config.Id == pathId)
                ?? throw new SectorStorageException($"path {pathId} was detached while {sector} was using it");
            await _index().DeclareSector(pathId, sector, type, primary: path.Config.CanStore);
        }
    }

    internal void Release(IEnumerable<Reservation> reservations)
    {
        lock (_lock)
        {
            foreach (var r in reservations)
            {
                r.Path.Reservations.Remove(r);
            }
        }
    }

    private async Task<IReadOnlyList<string>> MoveToOtherSiloAsync(SectorId sector, SectorFileType types, Dictionary<SectorFileType, long> sizes,
        IReadOnlyList<string> allowTo, CancellationToken cancellationToken)
    {
        var index = _index();
        var total = sizes.Values.Sum();
        var candidates = (await index.BestAllocation(types, PathType.Storage, total, sector.Miner, allowTo))
            .Where(c => c.Info.Silo != SiloName)
            .Select(c => c.Info.Silo)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (candidates.Count == 0)
        {
            throw new SectorStorageException($"no long-term storage (CanStore) path in the cluster has room for the {types.Describe()} files of "
                + $"{sector} ({total} bytes); attach one with `granary storage attach --init --store PATH`");
        }

        var space = new SectorSpace(sizes.GetValueOrDefault(SectorFileType.Unsealed), sizes.GetValueOrDefault(SectorFileType.Sealed),
            sizes.GetValueOrDefault(SectorFileType.Cache));
        Exception? last = null;
        foreach (var silo in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await index.Agent(silo) is not { } agent)
            {
                continue;
            }

            try
            {
                var stored = await agent.Fetch(sector, types, PathType.Storage, space);
                foreach (var type in types.Split())
                {
                    await DeleteCopiesAsync(sector, type, FindLocal(sector, type));
                }

                LogMovedToSilo(sector.Name, types.Describe(), silo);
                return stored;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                last = e;
                LogMoveToSiloFailed(sector.Name, silo, e.Message);
            }
        }

        throw new SectorStorageException($"moving the {types.Describe()} files of {sector} to long-term storage failed on "
            + $"{string.Join(", ", candidates)}: {last?.Message ?? "no agent has reported yet"}", last ?? new InvalidOperationException());
    }

    private async Task<(string PathId, string File)> FetchOneAsync(SectorId sector, SectorFileType type, PathType pathType, long bytes,
        CancellationToken cancellationToken)
    {
        var index = _index();
        var locations = await index.FindSector(sector, type);
        var sources = locations.Where(l => l.Available && l.Silo != SiloName).ToList();
        if (sources.Count == 0)
        {
            throw new SectorStorageException($"the {type.Name()} file of {sector} is not on silo {SiloName} and no reachable silo holds it "
                + (locations.Count == 0 ? "(the sector index lists no copy)" : $"(listed on unreachable path(s) {string.Join(", ", locations.Select(l => $"{l.PathId} on {l.Silo}"))})"));
        }

        var task = $"fetching the {type.Name()} file of {sector}";
        var (path, reservation) = Choose(sector, type, pathType, bytes, null, task)!.Value;
        try
        {
            var final = FilePath(path.Root, type, sector);
            var temp = TempPath(path.Root, type, sector);
            var failures = new List<string>();
            foreach (var source in sources)
            {
                try
                {
                    var length = type == SectorFileType.Cache
                        ? await _fetcher.FetchDirectoryAsync(source.Url, source.FetchToken, temp, final, bytes, cancellationToken)
                        : await _fetcher.FetchFileAsync(source.Url, source.FetchToken, temp, final, bytes, cancellationToken);
                    await index.DeclareSector(path.Config.Id, sector, type, primary: path.Config.CanStore);
                    LogFetched(sector.Name, type.Name(), source.Silo, length, path.Root);
                    return (path.Config.Id, final);
                }
                catch (SectorFetchException e)
                {
                    failures.Add(e.Message);
                    LogFetchFailed(source.Url, e.Message);
                }
            }

            throw new SectorStorageException($"{task}: every holder failed: {string.Join("; ", failures)}");
        }
        finally
        {
            Release([reservation]);
        }
    }

    private async Task DeleteCopiesAsync(SectorId sector, SectorFileType type, IEnumerable<(AttachedPath? Path, string File)> copies)
    {
        foreach (var (path, file) in copies)
        {
            if (type == SectorFileType.Cache)
            {
                if (Directory.Exists(file))
                {
                    Directory.Delete(file, recursive: true);
                }
            }
            else
            {
                File.Delete(file);
            }

            await _index().DropSector(path!.Config.Id, sector, type);
        }
    }

    private async Task RegisterAsync(AttachedPath path)
    {
        var info = new StoragePathInfo(path.Config, SiloName, path.Root, _options.RemoteUrl);
        try
        {
            await _index().AttachPath(info, Status(path).Stat, Scan(path));
        }
        catch (SectorStorageException)
        {
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The index may not be reachable yet (no sector storage silo up): the next heartbeat attaches the path.
            LogIndexUnreachable(path.Root, e.Message);
        }
    }

    private IReadOnlyList<SectorDeclaration> Scan(AttachedPath path)
    {
        var found = new List<SectorDeclaration>();
        foreach (var type in SectorFileTypes.Each)
        {
            var directory = new DirectoryInfo(System.IO.Path.Combine(path.Root, type.Name()));
            if (!directory.Exists)
            {
                continue;
            }

            IEnumerable<FileSystemInfo> entries = type == SectorFileType.Cache ? directory.EnumerateDirectories() : directory.EnumerateFiles();
            foreach (var entry in entries)
            {
                if (entry.Name == FetchingDirectory || entry.Name.EndsWith(".tmp", StringComparison.Ordinal))
                {
                    continue;
                }

                if (SectorId.TryParse(entry.Name, out var sector))
                {
                    found.Add(new SectorDeclaration(sector, type, path.Config.CanStore));
                }
                else
                {
                    LogStrayFile(entry.FullName);
                }
            }
        }

        return found;
    }

    private (AttachedPath Path, Reservation Reservation)? Choose(SectorId sector, SectorFileType type, PathType pathType, long bytes,
        IReadOnlyList<string>? allowedGroups, string task, bool throwIfNone = true)
    {
        lock (_lock)
        {
            var candidates = _paths
                .Where(p => p.Config.Serves(pathType) && p.Config.Weight > 0 && p.Config.Allows(type) && p.Config.AllowsMiner(sector.Miner)
                    && (allowedGroups is not { Count: > 0 } || p.Config.Groups.Any(g => allowedGroups.Contains(g, StringComparer.Ordinal))))
                .Select(p => (Path: p, Stat: StatLocked(p)))
                .Where(c => c.Stat is not null)
                .ToList();
            var fits = candidates
                .Where(c => c.Stat!.Available >= bytes)
                .OrderByDescending(c => (Int128)c.Stat!.Available * c.Path.Config.Weight)
                .ThenBy(c => c.Path.Config.Id, StringComparer.Ordinal)
                .ToList();
            if (fits.Count > 0)
            {
                var chosen = fits[0].Path;
                var reservation = new Reservation(chosen, sector, type, bytes, FilePath(chosen.Root, type, sector));
                chosen.Reservations.Add(reservation);
                return (chosen, reservation);
            }

            if (!throwIfNone)
            {
                return null;
            }

            if (candidates.Count == 0)
            {
                var flag = pathType == PathType.Sealing ? "--seal" : "--store";
                throw new SectorStorageException($"{task}: silo {SiloName} has no {(pathType == PathType.Sealing ? "sealing" : "long-term storage")} "
                    + $"path that takes {type.Name()} files; attach one with `granary storage attach --init {flag} PATH`");
            }

            var best = candidates.MaxBy(c => c.Stat!.Available);
            throw new InsufficientSpaceException(best.Path.Config.Id, best.Path.Root, best.Stat!.Available, bytes, task);
        }
    }

    private Reservation Reserve(AttachedPath path, SectorId sector, SectorFileType type, long bytes, string file, string task)
    {
        lock (_lock)
        {
            var stat = StatLocked(path);
            var needed = Math.Max(0, bytes - OnDisk(file));
            if (stat is null || stat.Available < needed)
            {
                throw new InsufficientSpaceException(path.Config.Id, path.Root, stat?.Available ?? 0, needed, task);
            }

            var reservation = new Reservation(path, sector, type, bytes, file);
            path.Reservations.Add(reservation);
            return reservation;
        }
    }

    private LocalPathStatus Status(AttachedPath path)
    {
        lock (_lock)
        {
            return StatLocked(path) is { } stat
                ? new LocalPathStatus(path.Config, path.Root, stat, null)
                : new LocalPathStatus(path.Config, path.Root, Unreadable, $"cannot read the filesystem of {path.Root}");
        }
    }

    private static readonly FsStat Unreadable = new(0, 0, 0, 0, 0, 0);

    // Called under _lock; null when the path's filesystem cannot be read (a failed or unmounted disk). Reservations
    // count only the part their files don't occupy yet, so a file growing into its reservation is not counted
    // twice (lotus's accounting).
    private static FsStat? StatLocked(AttachedPath path)
    {
        long capacity, free;
        try
        {
            if (!Directory.Exists(path.Root))
            {
                return null;
            }

            var drive = new DriveInfo(path.Root);
            capacity = drive.TotalSize;
            free = drive.AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }

        var reserved = path.Reservations.Sum(r => Math.Max(0, r.Bytes - OnDisk(r.File) - OnDisk(TempPath(path.Root, r.Type, r.Sector))));
        var used = SectorFileTypes.Each.Sum(t => OnDisk(System.IO.Path.Combine(path.Root, t.Name())));
        var max = (long)Math.Min(path.Config.MaxStorage, long.MaxValue);
        var available = Math.Max(0, free - reserved);
        if (max > 0)
        {
            available = Math.Min(available, Math.Max(0, max - used - reserved));
        }

        return new FsStat(capacity, available, free, reserved, max, used);
    }

    private List<(AttachedPath? Path, string File)> FindLocal(SectorId sector, SectorFileType type)
    {
        var found = new List<(AttachedPath?, string)>();
        foreach (var path in Snapshot())
        {
            var file = FilePath(path.Root, type, sector);
            if (type == SectorFileType.Cache ? Directory.Exists(file) : File.Exists(file))
            {
                found.Add((path, file));
            }
        }

        return found;
    }

    private static void MoveLocal(string source, string targetRoot, SectorFileType type, SectorId sector)
    {
        var final = FilePath(targetRoot, type, sector);
        var temp = TempPath(targetRoot, type, sector);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(temp)!);
        if (type == SectorFileType.Cache)
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }

            try
            {
                Directory.Move(source, temp);
            }
            catch (IOException)
            {
                // Another filesystem: copy, and leave the source for DeleteCopies once the copy is in place.
                CopyDirectory(source, temp);
            }

            Directory.Move(temp, final);
        }
        else
        {
            // File.Move copies across filesystems; the temp name keeps a partial copy out of the final place.
            File.Move(source, temp, overwrite: true);
            File.Move(temp, final, overwrite: true);
        }
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            var copy = System.IO.Path.Combine(target, System.IO.Path.GetFileName(file));
            File.Copy(file, copy, overwrite: true);
            using var handle = new FileStream(copy, FileMode.Open, FileAccess.ReadWrite);
            handle.Flush(flushToDisk: true);
        }
    }

    private List<AttachedPath> Snapshot()
    {
        lock (_lock)
        {
            return [.. _paths];
        }
    }

    private List<string> Roots()
    {
        lock (_lock)
        {
            return [.. _paths.Select(p => p.Root)];
        }
    }

    private static void EnsureLayout(string root)
    {
        foreach (var type in SectorFileTypes.Each)
        {
            Directory.CreateDirectory(System.IO.Path.Combine(root, type.Name()));
        }
    }

    /// <summary>Where lotus puts a sector file of <paramref name="type"/> under a path.</summary>
    public static string FilePath(string root, SectorFileType type, SectorId sector) =>
        System.IO.Path.Combine(root, type.Name(), sector.Name);

    private static string TempPath(string root, SectorFileType type, SectorId sector) =>
        System.IO.Path.Combine(root, type.Name(), FetchingDirectory, sector.Name);

    private static long OnDisk(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                return new FileInfo(path).Length;
            }

            return Directory.Exists(path)
                ? new DirectoryInfo(path).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }).Sum(f => f.Length)
                : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0; // a file removed while counting
        }
    }

    private static string Normalize(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory) || !System.IO.Path.IsPathFullyQualified(directory))
        {
            throw new SectorStorageException($"'{directory}' is not an absolute path");
        }

        var full = System.IO.Path.GetFullPath(directory);
        return full.Length > 1 ? full.TrimEnd(System.IO.Path.DirectorySeparatorChar) : full;
    }

    /// <summary>A path attached on this silo and the space reserved on it.</summary>
    internal sealed class AttachedPath(string root, StoragePathConfig config)
    {
        public string Root { get; } = root;

        public StoragePathConfig Config { get; } = config;

        public List<Reservation> Reservations { get; } = [];
    }

    /// <summary>Space held for a task's file on a path until the task ends.</summary>
    internal sealed class Reservation(AttachedPath path, SectorId sector, SectorFileType type, long bytes, string file)
    {
        public AttachedPath Path { get; } = path;

        public SectorId Sector { get; } = sector;

        public SectorFileType Type { get; } = type;

        public long Bytes { get; } = bytes;

        public string File { get; } = file;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage path {Root} cannot be opened and is left out: {Reason}")]
    private partial void LogOpenFailed(string root, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Attached storage path {Root} (ID {Id}, use {Use})")]
    private partial void LogAttached(string root, string id, string use);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage path {Root} is not in the sector index yet ({Reason}); the next heartbeat retries")]
    private partial void LogIndexUnreachable(string root, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The sector index refused storage path {Root}: {Reason}")]
    private partial void LogRegisterRefused(string root, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring {File}: not a sector file name (s-t0MINER-NUMBER)")]
    private partial void LogStrayFile(string file);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched the {Type} file of {Sector} from {Silo} ({Bytes} bytes) into {Root}")]
    private partial void LogFetched(string sector, string type, string silo, long bytes, string root);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetching {Url} failed: {Reason}")]
    private partial void LogFetchFailed(string url, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Moved the {Type} file of {Sector} from {From} to long-term storage {To}")]
    private partial void LogMoved(string sector, string type, string from, string to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Moved the {Types} files of {Sector} to long-term storage on silo {Silo}")]
    private partial void LogMovedToSilo(string sector, string types, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Moving {Sector} to long-term storage on silo {Silo} failed: {Reason}")]
    private partial void LogMoveToSiloFailed(string sector, string silo, string reason);
}
