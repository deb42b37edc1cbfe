using Granary.Grains.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Grains.Tests;

/// <summary>A silo's local storage on real temp directories: attaching, layout, reservations, moves and removal.</summary>
public sealed class StorageLocalTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("granary-localstorage-").FullName;
    private readonly InMemorySectorIndex _index = new();
    private readonly LocalStorage _storage;
    private static readonly SectorId Sector = new(1000, 5);

    public StorageLocalTests() => _storage = NewStorage();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Attaching_needs_a_sectorstore_json_refuses_duplicates_and_is_remembered_in_storage_json()
    {
        var seal = Dir("seal");
        Directory.CreateDirectory(seal);
        Assert.Contains("is not a storage path", (await Assert.ThrowsAsync<SectorStorageException>(() => _storage.AttachAsync(seal))).Message);
        Assert.Contains("does not exist", (await Assert.ThrowsAsync<SectorStorageException>(() => _storage.AttachAsync(Dir("missing")))).Message);
        Assert.Contains("not an absolute path", (await Assert.ThrowsAsync<SectorStorageException>(() => _storage.AttachAsync("relative/seal"))).Message);

        var config = LocalStorage.Initialize(seal, StoragePathConfig.Create(10, canSeal: true, canStore: false, maxStorage: 0));
        Assert.Contains("already initialized", Assert.Throws<SectorStorageException>(() =>
            LocalStorage.Initialize(seal, StoragePathConfig.Create(10, true, false, 0))).Message);
        var attached = await _storage.AttachAsync(seal + "/");
        Assert.Equal(config.Id, attached.Config.Id);
        Assert.Equal(seal, attached.Root);
        Assert.True(attached.Stat.Capacity > 0 && attached.Stat.Available > 0);
        Assert.All(new[] { "unsealed", "sealed", "cache" }, d => Assert.True(Directory.Exists(Path.Combine(seal, d))));
        Assert.Contains("already attached", (await Assert.ThrowsAsync<SectorStorageException>(() => _storage.AttachAsync(seal))).Message);

        // A copy of the path (same ID) is refused too.
        var copy = Dir("copy");
        Directory.CreateDirectory(copy);
        File.Copy(Path.Combine(seal, "sectorstore.json"), Path.Combine(copy, "sectorstore.json"));
        Assert.Contains($"has the ID {config.Id}", (await Assert.ThrowsAsync<SectorStorageException>(() => _storage.AttachAsync(copy))).Message);

        Assert.Equal([seal], StorageConfigFile.Read(StorageFile));
        Assert.Equal("silo-a", _index.Index.Status(config.Id).Info.Silo);

        // A restarted silo opens what storage.json lists; a path that broke meanwhile is reported and left out.
        var store = await AttachNew("store", seal: false, store: true);
        File.Delete(Path.Combine(store.Root, "sectorstore.json"));
        var restarted = NewStorage();
        restarted.Open();
        Assert.Equal([seal], restarted.Paths().Select(p => p.Root));
        Assert.Contains(restarted.Problems, p => p.StartsWith(store.Root, StringComparison.Ordinal) && p.Contains("sectorstore.json does not exist"));
    }

    [Fact]
    public async Task Sector_files_are_laid_out_as_lotus_does_and_declared_after_the_task()
    {
        var seal = await AttachNew("seal", seal: true, store: false);

        using (var acquisition = await _storage.AcquireSectorAsync(Sector, SectorFileType.None, SectorFileTypes.All, PathType.Sealing, new SectorSpace(10, 10, 10)))
        {
            Assert.Equal(Path.Combine(seal.Root, "unsealed", "s-t01000-5"), acquisition.Paths.Unsealed);
            Assert.Equal(Path.Combine(seal.Root, "sealed", "s-t01000-5"), acquisition.Paths.Sealed);
            Assert.Equal(Path.Combine(seal.Root, "cache", "s-t01000-5"), acquisition.Paths.Cache);
            Assert.True(Directory.Exists(acquisition.Paths.Cache));
            Assert.Equal(SectorFileTypes.All, acquisition.Allocated);
            Assert.Empty(_index.Index.Find(Sector, SectorFileType.Sealed)); // nothing declared before the task is done

            File.WriteAllBytes(acquisition.Paths.Unsealed, new byte[10]);
            File.WriteAllBytes(acquisition.Paths.Sealed, new byte[10]);
            await acquisition.DeclareAsync();
        }

        Assert.Equal([seal.Config.Id], _index.Index.Find(Sector, SectorFileType.Sealed).Select(l => l.PathId));
        Assert.False(_index.Index.Find(Sector, SectorFileType.Sealed)[0].Primary); // scratch, not long-term

        // A later task finds the existing files and allocates nothing.
        using var next = await _storage.AcquireSectorAsync(Sector, SectorFileType.Unsealed | SectorFileType.Sealed, SectorFileType.None, PathType.Sealing, SectorSpace.None);
        Assert.Equal(Path.Combine(seal.Root, "sealed", "s-t01000-5"), next.Paths.Sealed);
        Assert.Equal("", next.Paths.Cache);
        Assert.Equal(SectorFileType.None, next.Allocated);
        Assert.Equal(Path.Combine(seal.Root, "sealed", "s-t01000-5"), _storage.LocalFile(Sector, SectorFileType.Sealed));
        Assert.Null(_storage.LocalFile(new SectorId(1000, 6), SectorFileType.Sealed));

        // Asking for a file that exists and must also be created is a caller bug.
        await Assert.ThrowsAsync<SectorStorageException>(() =>
            _storage.AcquireSectorAsync(Sector, SectorFileType.Sealed, SectorFileType.Sealed, PathType.Sealing, SectorSpace.None));
    }

    [Fact]
    public async Task A_reservation_that_does_not_fit_fails_naming_the_path_its_free_bytes_and_the_need()
    {
        var seal = await AttachNew("seal", seal: true, store: false, maxStorage: 64 << 10);
        var space = new SectorSpace(0, 40 << 10, 0);

        var first = await _storage.AcquireSectorAsync(Sector, SectorFileType.None, SectorFileType.Sealed, PathType.Sealing, space);
        Assert.Equal(40 << 10, _storage.PathStatus(seal.Config.Id)!.Stat.Reserved);
        Assert.Equal(24 << 10, _storage.PathStatus(seal.Config.Id)!.Stat.Available);

        var error = await Assert.ThrowsAsync<InsufficientSpaceException>(() =>
            _storage.AcquireSectorAsync(new SectorId(1000, 6), SectorFileType.None, SectorFileType.Sealed, PathType.Sealing, space));
        Assert.Equal($"path {seal.Config.Id} ({seal.Root}) has {24 << 10} bytes free, the task needs {40 << 10} (sealed file of s-t01000-6)", error.Message);
        Assert.Equal(seal.Config.Id, error.PathId);

        // Bytes the task writes fill its reservation instead of counting twice.
        File.WriteAllBytes(first.Paths.Sealed, new byte[30 << 10]);
        var stat = _storage.PathStatus(seal.Config.Id)!.Stat;
        Assert.Equal(10 << 10, stat.Reserved);
        Assert.Equal(30 << 10, stat.Used);
        Assert.Equal(24 << 10, stat.Available);

        // The task ends: its reservation is released (once, however often it is disposed).
        first.Dispose();
        first.Dispose();
        Assert.Equal(0, _storage.PathStatus(seal.Config.Id)!.Stat.Reserved);
        Assert.Equal(34 << 10, _storage.PathStatus(seal.Config.Id)!.Stat.Available);
        using var second = await _storage.AcquireSectorAsync(new SectorId(1000, 6), SectorFileType.None, SectorFileType.Sealed, PathType.Sealing,
            new SectorSpace(0, 34 << 10, 0));
    }

    [Fact]
    public async Task New_files_go_to_the_path_with_most_free_space_times_weight_that_serves_the_use()
    {
        var light = await AttachNew("light", seal: true, store: false, weight: 1);
        var heavy = await AttachNew("heavy", seal: true, store: false, weight: 100);
        var full = await AttachNew("full", seal: true, store: false, weight: 1000, maxStorage: 1024);

        using (var acquisition = await _storage.AcquireSectorAsync(Sector, SectorFileType.None, SectorFileType.Sealed, PathType.Sealing, new SectorSpace(0, 4096, 0)))
        {
            Assert.Equal(heavy.Config.Id, acquisition.PathIds[SectorFileType.Sealed]);
        }

        // Only a sealing path here: long-term storage is refused saying how to add one.
        var error = await Assert.ThrowsAsync<SectorStorageException>(() =>
            _storage.AcquireSectorAsync(Sector, SectorFileType.None, SectorFileType.Sealed, PathType.Storage, SectorSpace.None));
        Assert.Contains("no long-term storage path that takes sealed files", error.Message);
        Assert.Contains("--store", error.Message);
        _ = (light, full);
    }

    [Fact]
    public async Task A_task_run_again_after_a_crash_reuses_its_partial_file_where_it_is()
    {
        var first = await AttachNew("first", seal: true, store: false, weight: 1);
        using (var acquisition = await _storage.AcquireSectorAsync(Sector, SectorFileType.None, SectorFileType.Cache, PathType.Sealing, SectorSpace.None))
        {
            File.WriteAllBytes(Path.Combine(acquisition.Paths.Cache, "sc-02-data-layer-1.dat"), new byte[100]);
        }

        await AttachNew("better", seal: true, store: false, weight: 1000);
        using var again = await _storage.AcquireSectorAsync(Sector, SectorFileType.None, SectorFileType.Cache, PathType.Sealing, new SectorSpace(0, 0, 1000));
        Assert.Equal(first.Config.Id, again.PathIds[SectorFileType.Cache]);
        Assert.True(File.Exists(Path.Combine(again.Paths.Cache, "sc-02-data-layer-1.dat")));
        Assert.Equal(900, _storage.PathStatus(first.Config.Id)!.Stat.Reserved); // the 100 bytes on disk count toward it
    }

    [Fact]
    public async Task Finalized_sectors_move_to_a_local_store_path_byte_exact_and_the_index_follows()
    {
        var seal = await AttachNew("seal", seal: true, store: false);
        var store = await AttachNew("store", seal: false, store: true);
        var replica = RandomBytes(70_000);
        var tree = RandomBytes(5_000);
        using (var acquisition = await _storage.AcquireSectorAsync(Sector, SectorFileType.None, SectorFileTypes.All, PathType.Sealing, SectorSpace.None))
        {
            File.WriteAllBytes(acquisition.Paths.Unsealed, RandomBytes(1000));
            File.WriteAllBytes(acquisition.Paths.Sealed, replica);
            File.WriteAllBytes(Path.Combine(acquisition.Paths.Cache, "sc-02-data-tree-r-last.dat"), tree);
            File.WriteAllBytes(Path.Combine(acquisition.Paths.Cache, "p_aux"), new byte[64]);
            await acquisition.DeclareAsync();
        }

        var stored = await _storage.MoveToStorageAsync(Sector);

        Assert.Equal([store.Config.Id], stored);
        Assert.Equal(replica, File.ReadAllBytes(Path.Combine(store.Root, "sealed", "s-t01000-5")));
        Assert.Equal(tree, File.ReadAllBytes(Path.Combine(store.Root, "cache", "s-t01000-5", "sc-02-data-tree-r-last.dat")));
        Assert.False(File.Exists(Path.Combine(seal.Root, "sealed", "s-t01000-5")));
        Assert.False(Directory.Exists(Path.Combine(seal.Root, "cache", "s-t01000-5")));
        Assert.True(File.Exists(Path.Combine(seal.Root, "unsealed", "s-t01000-5"))); // not asked to move
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(store.Root, "sealed", LocalStorage.FetchingDirectory)));
        var sealedCopy = Assert.Single(_index.Index.Find(Sector, SectorFileType.Sealed));
        Assert.Equal(store.Config.Id, sealedCopy.PathId);
        Assert.True(sealedCopy.Primary);
        Assert.Equal(store.Config.Id, Assert.Single(_index.Index.Find(Sector, SectorFileType.Cache)).PathId);

        // Running it again is harmless.
        Assert.Equal([store.Config.Id], await _storage.MoveToStorageAsync(Sector));

        // Removal deletes every local copy and its declarations.
        await _storage.RemoveAsync(Sector, SectorFileTypes.All);
        Assert.Null(_storage.LocalFile(Sector, SectorFileType.Sealed));
        Assert.Null(_storage.LocalFile(Sector, SectorFileType.Unsealed));
        Assert.Empty(_index.Index.Find(Sector, SectorFileType.Cache));
    }

    [Fact]
    public async Task Without_a_store_path_anywhere_the_move_fails_and_leaves_the_files()
    {
        var seal = await AttachNew("seal", seal: true, store: false);
        using (var acquisition = await _storage.AcquireSectorAsync(Sector, SectorFileType.None, SectorFileType.Sealed, PathType.Sealing, SectorSpace.None))
        {
            File.WriteAllBytes(acquisition.Paths.Sealed, new byte[100]);
            await acquisition.DeclareAsync();
        }

        var error = await Assert.ThrowsAsync<SectorStorageException>(() => _storage.MoveToStorageAsync(Sector, SectorFileType.Sealed));
        Assert.Contains("no long-term storage (CanStore) path in the cluster has room", error.Message);
        Assert.True(File.Exists(Path.Combine(seal.Root, "sealed", "s-t01000-5")));
    }

    [Fact]
    public async Task Attaching_a_path_declares_the_sector_files_already_on_it()
    {
        var store = Dir("old-store");
        LocalStorage.Initialize(store, StoragePathConfig.Create(10, canSeal: false, canStore: true, maxStorage: 0));
        Directory.CreateDirectory(Path.Combine(store, "sealed"));
        Directory.CreateDirectory(Path.Combine(store, "cache", "s-t01000-7"));
        File.WriteAllBytes(Path.Combine(store, "sealed", "s-t01000-7"), new byte[10]);
        File.WriteAllBytes(Path.Combine(store, "sealed", "notes.txt"), new byte[1]);   // not a sector: ignored
        File.WriteAllBytes(Path.Combine(store, "sealed", "s-t01000-8.tmp"), new byte[1]); // a torn write: ignored

        var attached = await _storage.AttachAsync(store);

        Assert.Equal(
            [new SectorDeclaration(new SectorId(1000, 7), SectorFileType.Sealed, true), new SectorDeclaration(new SectorId(1000, 7), SectorFileType.Cache, true)],
            _index.Index.Sectors(attached.Config.Id));
    }

    [Fact]
    public async Task A_path_whose_disk_is_gone_reports_an_error_and_a_detached_path_is_forgotten()
    {
        var gone = await AttachNew("gone", seal: true, store: false);
        var kept = await AttachNew("kept", seal: true, store: false);
        Directory.Delete(gone.Root, recursive: true);

        var status = _storage.PathStatus(gone.Config.Id)!;
        Assert.Equal($"cannot read the filesystem of {gone.Root}", status.Error);
        await _storage.HeartbeatAsync();
        Assert.False(_index.Index.Status(gone.Config.Id).Available);
        Assert.True(_index.Index.Status(kept.Config.Id).Available);
        using (var acquisition = await _storage.AcquireSectorAsync(Sector, SectorFileType.None, SectorFileType.Sealed, PathType.Sealing, SectorSpace.None))
        {
            Assert.Equal(kept.Config.Id, acquisition.PathIds[SectorFileType.Sealed]);
        }

        await _storage.DetachAsync(gone.Config.Id);
        Assert.Equal([kept.Root], StorageConfigFile.Read(StorageFile));
        Assert.DoesNotContain(_index.Index.List(), p => p.Info.Id == gone.Config.Id);
        await _storage.DetachAsync(kept.Root);
        Assert.Empty(_storage.Paths());
        await Assert.ThrowsAsync<SectorStorageException>(() => _storage.DetachAsync(kept.Root));
    }

    private string StorageFile => Path.Combine(_root, "repo", "storage.json");

    private LocalStorage NewStorage()
    {
        Directory.CreateDirectory(Path.Combine(_root, "repo"));
        var options = new LocalStorageOptions { StorageFile = StorageFile, SiloName = "silo-a", RemoteUrl = "http://127.0.0.1:1/remote" };
        var fetcher = new SectorFetcher(new HttpClient(), new SectorFetcherOptions(), NullLogger<SectorFetcher>.Instance);
        return new LocalStorage(options, () => _index, fetcher, NullLogger<LocalStorage>.Instance);
    }

    private async Task<LocalPathStatus> AttachNew(string name, bool seal, bool store, ulong weight = 10, ulong maxStorage = 0)
    {
        var path = Dir(name);
        LocalStorage.Initialize(path, StoragePathConfig.Create(weight, seal, store, maxStorage));
        return await _storage.AttachAsync(path);
    }

    private string Dir(string name) => Path.Combine(_root, name);

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}

/// <summary>The sector index as a plain object behind the grain interface, for tests of code that calls the index.</summary>
public sealed class InMemorySectorIndex : ISectorIndexGrain
{
    public SectorIndex Index { get; } = new(new SectorIndexState(), TimeSpan.FromSeconds(30));

    public Task AttachPath(StoragePathInfo path, FsStat stat, IReadOnlyList<SectorDeclaration> sectors) => Run(() => Index.Attach(path, stat, sectors));

    public Task DetachPath(string pathId) => Run(() => Index.Detach(pathId));

    public Task<IReadOnlyList<string>> Heartbeat(SiloStorageReport report) => Get(() => Index.Heartbeat(report));

    public Task DeclareSector(string pathId, SectorId sector, SectorFileType fileType, bool primary) => Run(() => Index.Declare(pathId, sector, fileType, primary));

    public Task DropSector(string pathId, SectorId sector, SectorFileType fileType) => Run(() => Index.Drop(pathId, sector, fileType));

    public Task<IReadOnlyList<SectorLocation>> FindSector(SectorId sector, SectorFileType fileType) => Get(() => Index.Find(sector, fileType));

    public Task<IReadOnlyList<StoragePathStatus>> BestAllocation(SectorFileType fileType, PathType pathType, long size,
        ulong? miner = null, IReadOnlyList<string>? allowedGroups = null) => Get(() => Index.BestAllocation(fileType, pathType, size, miner, allowedGroups));

    public Task<IReadOnlyList<StoragePathStatus>> ListPaths() => Get(Index.List);

    public Task<StoragePathStatus> PathStatus(string pathId) => Get(() => Index.Status(pathId));

    public Task<IReadOnlyList<SectorDeclaration>> ListSectors(string pathId) => Get(() => Index.Sectors(pathId));

    public Task<IStorageAgent?> Agent(string silo) => Get(() => Index.Agent(silo));

    // One caller at a time, as the grain's turn-based scheduling guarantees.
    private Task Run(Action action)
    {
        lock (Index)
        {
            action();
        }

        return Task.CompletedTask;
    }

    private Task<T> Get<T>(Func<T> read)
    {
        lock (Index)
        {
            return Task.FromResult(read());
        }
    }
}
