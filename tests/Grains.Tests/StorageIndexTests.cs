using Granary.Grains.Storage;

namespace Granary.Grains.Tests;

/// <summary>The sector index's logic: declarations, lookups, allocation and heartbeat timeouts, on a controlled clock.</summary>
public sealed class StorageIndexTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly ManualClock _clock = new();
    private readonly SectorIndex _index;

    public StorageIndexTests() => _index = new SectorIndex(new SectorIndexState(), Timeout, _clock);

    [Fact]
    public void Declared_files_are_found_reachable_and_primary_first_with_their_urls()
    {
        Attach("seal-a", "silo-a", seal: true, store: false, weight: 10, available: 100);
        Attach("store-b", "silo-b", seal: false, store: true, weight: 10, available: 100);
        var sector = new SectorId(1000, 5);

        Assert.True(_index.Declare("seal-a", sector, SectorFileType.Sealed | SectorFileType.Cache, primary: false));
        Assert.False(_index.Declare("seal-a", sector, SectorFileType.Sealed, primary: false)); // nothing new to persist
        Assert.True(_index.Declare("store-b", sector, SectorFileType.Sealed, primary: true));

        var sealedCopies = _index.Find(sector, SectorFileType.Sealed);
        Assert.Equal(["store-b", "seal-a"], sealedCopies.Select(l => l.PathId));
        Assert.Equal("http://silo-b:2345/remote/sealed/s-t01000-5", sealedCopies[0].Url);
        Assert.Equal("http://silo-b:2345/remote", sealedCopies[0].BaseUrl);
        Assert.True(sealedCopies[0].Primary);
        Assert.Equal("token-silo-b", sealedCopies[0].FetchToken);
        Assert.Equal(["seal-a"], _index.Find(sector, SectorFileType.Cache).Select(l => l.PathId));
        Assert.Empty(_index.Find(sector, SectorFileType.Unsealed));
        Assert.Empty(_index.Find(new SectorId(1000, 6), SectorFileType.Sealed));
        Assert.Throws<SectorStorageException>(() => _index.Find(sector, SectorFileType.Sealed | SectorFileType.Cache));

        Assert.True(_index.Drop("seal-a", sector, SectorFileType.Sealed));
        Assert.False(_index.Drop("seal-a", sector, SectorFileType.Sealed));
        Assert.Equal(["store-b"], _index.Find(sector, SectorFileType.Sealed).Select(l => l.PathId));
        Assert.Equal(new SectorFileCounts(0, 0, 1), _index.Status("seal-a").SectorFiles);
        Assert.Contains("not attached", Assert.Throws<SectorStorageException>(() => _index.Declare("nope", sector, SectorFileType.Sealed, false)).Message);
    }

    [Fact]
    public void Best_allocation_weighs_free_space_by_weight_and_leaves_out_paths_that_cannot_take_the_file()
    {
        Attach("big-light", "a", seal: true, store: false, weight: 1, available: 1000);
        Attach("small-heavy", "a", seal: true, store: false, weight: 10, available: 500);   // 5000 > 1000
        Attach("full", "b", seal: true, store: false, weight: 100, available: 10);
        Attach("readonly", "b", seal: true, store: false, weight: 0, available: 10_000);
        Attach("store", "b", seal: false, store: true, weight: 10, available: 10_000);
        Attach("no-cache", "b", seal: true, store: false, weight: 1000, available: 10_000, denyTypes: ["cache"]);
        Attach("other-miner", "b", seal: true, store: false, weight: 1000, available: 10_000, allowMiners: ["f02000"]);

        Assert.Equal(["small-heavy", "big-light"], _index.BestAllocation(SectorFileType.Cache, PathType.Sealing, 100, miner: 1000).Select(s => s.Info.Id));
        Assert.Equal(["big-light"], _index.BestAllocation(SectorFileType.Cache, PathType.Sealing, 600, miner: 1000).Select(s => s.Info.Id));
        Assert.Empty(_index.BestAllocation(SectorFileType.Cache, PathType.Sealing, 2000, miner: 1000));
        Assert.Equal(["no-cache", "other-miner", "small-heavy", "big-light"],
            _index.BestAllocation(SectorFileType.Sealed, PathType.Sealing, 100).Select(s => s.Info.Id));
        Assert.Equal(["store"], _index.BestAllocation(SectorFileType.Sealed | SectorFileType.Cache, PathType.Storage, 100).Select(s => s.Info.Id));
    }

    [Fact]
    public void A_silo_that_stops_heartbeating_has_its_paths_marked_unavailable_after_the_timeout()
    {
        Attach("a1", "silo-a", seal: true, store: true, weight: 10, available: 100);
        Attach("b1", "silo-b", seal: true, store: true, weight: 10, available: 100);
        var sector = new SectorId(1000, 1);
        _index.Declare("a1", sector, SectorFileType.Sealed, primary: true);

        _clock.Advance(TimeSpan.FromSeconds(20));
        Beat("silo-b", "b1");
        _clock.Advance(TimeSpan.FromSeconds(15)); // a: 35 s silent, b: 15 s

        Assert.False(_index.Status("a1").Available);
        Assert.True(_index.Status("b1").Available);
        Assert.False(_index.Find(sector, SectorFileType.Sealed).Single().Available);
        Assert.Equal(["b1"], _index.BestAllocation(SectorFileType.Sealed, PathType.Storage, 10).Select(s => s.Info.Id));

        Beat("silo-a", "a1");
        Assert.True(_index.Status("a1").Available);
    }

    [Fact]
    public void A_path_reporting_an_error_is_unavailable_until_it_reports_health_again()
    {
        Attach("a1", "silo-a", seal: true, store: false, weight: 10, available: 100);
        _index.Heartbeat(new SiloStorageReport("silo-a", [new PathHealth("a1", Stat(100), "input/output error")], null, null));

        Assert.False(_index.Status("a1").Available);
        Assert.Equal("input/output error", _index.Status("a1").Error);
        Assert.Empty(_index.BestAllocation(SectorFileType.Sealed, PathType.Sealing, 1));
        Beat("silo-a", "a1");
        Assert.True(_index.Status("a1").Available);
    }

    [Fact]
    public void A_heartbeat_names_paths_the_index_does_not_know_so_the_silo_attaches_them_again()
    {
        Attach("a1", "silo-a", seal: true, store: false, weight: 10, available: 100);

        var unknown = _index.Heartbeat(new SiloStorageReport("silo-a", [new PathHealth("a1", Stat(1), null), new PathHealth("new", Stat(1), null)], null, null));
        Assert.Equal(["new"], unknown);
        // A path attached by another silo is not this silo's to report.
        Assert.Equal(["a1"], _index.Heartbeat(new SiloStorageReport("silo-b", [new PathHealth("a1", Stat(1), null)], null, null)));
    }

    [Fact]
    public void A_path_id_held_by_a_live_silo_cannot_be_attached_elsewhere_but_a_dead_silos_can_be_taken_over()
    {
        Attach("p", "silo-a", seal: true, store: false, weight: 10, available: 100);
        _index.Declare("p", new SectorId(1, 1), SectorFileType.Sealed, false);

        var error = Assert.Throws<SectorStorageException>(() => Attach("p", "silo-b", seal: true, store: false, weight: 10, available: 100));
        Assert.Contains("already attached on silo silo-a", error.Message);

        _clock.Advance(Timeout + TimeSpan.FromSeconds(1));
        Attach("p", "silo-b", seal: true, store: false, weight: 10, available: 100); // the disk moved to silo b
        Assert.Equal("silo-b", _index.Status("p").Info.Silo);
        Assert.Empty(_index.Sectors("p")); // declarations are what silo b found on it (nothing here)
        Assert.Empty(_index.Find(new SectorId(1, 1), SectorFileType.Sealed));
    }

    [Fact]
    public void The_state_reloads_into_an_equal_index_whose_paths_get_one_timeout_to_report()
    {
        Attach("a1", "silo-a", seal: true, store: false, weight: 10, available: 100);
        _index.Declare("a1", new SectorId(7, 9), SectorFileType.Unsealed, false);

        var reloaded = new SectorIndex(_index.State, Timeout, _clock);
        Assert.Equal(["a1"], reloaded.Find(new SectorId(7, 9), SectorFileType.Unsealed).Select(l => l.PathId));
        Assert.True(reloaded.Status("a1").Available);
        Assert.Null(reloaded.Status("a1").Stat);
        Assert.Empty(reloaded.BestAllocation(SectorFileType.Sealed, PathType.Sealing, 1)); // no capacity known yet
        _clock.Advance(Timeout + TimeSpan.FromSeconds(1));
        Assert.False(reloaded.Status("a1").Available);

        Assert.True(reloaded.Detach("a1"));
        Assert.Empty(reloaded.List());
        Assert.Empty(reloaded.State.Paths);
    }

    private void Attach(string id, string silo, bool seal, bool store, ulong weight, long available,
        IReadOnlyList<string>? denyTypes = null, IReadOnlyList<string>? allowMiners = null)
    {
        var config = new StoragePathConfig(id, weight, seal, store, 0, [], [], [], denyTypes ?? [], allowMiners ?? [], []);
        _index.Attach(new StoragePathInfo(config, silo, $"/mnt/{id}", $"http://{silo}:2345/remote"), Stat(available), []);
        _index.Heartbeat(new SiloStorageReport(silo, [new PathHealth(id, Stat(available), null)], $"token-{silo}", null));
    }

    private void Beat(string silo, string id) =>
        _index.Heartbeat(new SiloStorageReport(silo, [new PathHealth(id, Stat(100), null)], $"token-{silo}", null));

    private static FsStat Stat(long available) => new(1 << 30, available, available, 0, 0, 0);

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
