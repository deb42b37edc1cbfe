using System.Diagnostics;
using System.Reflection;
using Granary.Grains.Placement;
using Granary.Grains.Proving;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Granary.Grains.Tests;

/// <summary>
/// Issue 9 §7: a markets restart never touches proving. On the in-process cluster of <see cref="ProvingHarness"/>, with
/// Orleans' grain directory kept in the silos as in a real cluster (not the test cluster's shared one), the devnet mines a
/// block every second (the split procedure's devnet), both cores are kept busy by spinning threads, and the markets silo is
/// stopped gracefully and a new one started as each of three deadlines opens (a fourth, before them, is the baseline). No
/// proving grain may be deactivated because the markets silo left (with Orleans' older default directory the deadline,
/// miner, scheduler and worker grains whose registrations it held were), and each WindowPoSt lands in its window, once.
/// </summary>
public sealed class ProvingMarketsRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BlockTime = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Restarting_the_markets_silo_as_deadlines_open_under_cpu_load_leaves_every_WindowPoSt_on_time()
    {
        using var deactivations = new DeactivationLog();
        await using var h = await ProvingHarness.StartAsync(2, name => name == "Silo_1"
            ? ([Subsystem.Mining, Subsystem.SectorStorage], "a")
            : ([Subsystem.Markets], null), b =>
            {
                UseSiloGrainDirectory(b);
                b.ConfigureSiloHost((_, host) => host.Logging.AddProvider(deactivations));
            });
        // Two sectors fill a 2 KiB partition; a prove-commit message carries four: two batches make four deadlines.
        await h.SealAndCommitAsync(new() { ["a"] = [1, 2, 3, 4] });
        await h.SealAndCommitAsync(new() { ["a"] = [5, 6, 7, 8] });
        var located = new List<(ulong Deadline, ulong Partition)>();
        for (ulong sector = 1; sector <= 8; sector++)
        {
            located.Add(await h.LocateAsync(sector));
        }

        var windows = new List<(DeadlineWindow Window, ulong Partition)>();
        foreach (var (deadline, partition) in located.Distinct())
        {
            windows.Add((await h.NextWindowAsync(deadline), partition));
        }

        windows = [.. windows.OrderBy(w => w.Window.Open)];
        Assert.True(windows.Count >= 4, $"the sectors went to {windows.Count} deadlines");

        // Up to just before the first window, settled (its faults checked); then blocks every second, whatever proving does.
        await h.FastForwardAsync(windows[0].Window.Open - 3);
        var markets = h.Cluster.Silos.Single(s => s.Name == "Silo_0");
        var prover = h.Cluster.Silos.Single(s => s.Name == "Silo_1");
        var proving = new List<(string Name, GrainId Grain)>
        {
            ("scheduler", h.Scheduler().GetGrainId()),
            ("miner", h.Cluster.Client.GetGrain<Granary.Grains.Miner.IMinerGrain>(h.MinerText).GetGrainId()),
            ("worker", h.Cluster.Client.GetGrain<IProvingWorkerGrain>(prover.SiloAddress.ToParsableString()).GetGrainId()),
            ("index", h.Cluster.Client.GetGrain<Granary.Grains.Storage.ISectorIndexGrain>(0).GetGrainId()),
        };
        proving.AddRange(windows.Select(w => ($"deadline {w.Window.Index}", h.Cluster.Client.GetGrain<IDeadlineGrain>(DeadlineGrain.Key(h.MinerText, w.Window.Index)).GetGrainId())));

        // The case that cost a PoSt: the markets silo holds the directory registrations of the second window's deadline grain
        // and of the miner grain when it stops (in Orleans' older default directory each silo owns the ring arc from its hash
        // to the next one's). A few restarts give the markets silo such an address; most addresses hold some proving grain.
        var wanted = new[] { "miner", $"deadline {windows[1].Window.Index}" };
        for (var attempt = 0; attempt < 6 && !wanted.All(OwnedBy(markets.SiloAddress, prover.SiloAddress, proving).Contains); attempt++)
        {
            await h.Cluster.StopSiloAsync(markets);
            markets = await h.Cluster.StartAdditionalSiloAsync();
            await h.SettledAsync();
        }

        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Spin(stop.Token)).ToList();
        var clock = MineAsync(h, stop.Token);
        var results = new List<string>();
        try
        {
            // The first window is proven with the markets silo up (the baseline); the markets silo restarts as each later one opens.
            for (var i = 0; i < windows.Count; i++)
            {
                var (window, partition) = windows[i];
                await UntilAsync(h, window.Open, clock);
                string restart = "no restart";
                if (i > 0 && (await h.Devnet.ChainHead()).Height < window.Close - 1)
                {
                    var stopAt = (await h.Devnet.ChainHead()).Height;
                    var owned = string.Join(", ", OwnedBy(markets.SiloAddress, prover.SiloAddress, proving));
                    await h.Cluster.StopSiloAsync(markets);
                    var downAt = (await h.Devnet.ChainHead()).Height;
                    markets = await h.Cluster.StartAdditionalSiloAsync();
                    restart = $"markets (in the older directory holding {owned}) stopped at {stopAt}, down at {downAt}, {markets.Name} up at {(await h.Devnet.ChainHead()).Height}";
                }

                var landed = await ProvenAtAsync(h, window, partition, clock);
                results.Add($"deadline {window.Index}: open {window.Open}, close {window.Close}, PoSt in PostSubmissions at "
                    + $"{(landed is null ? "never" : landed.ToString())} ({(landed is null ? "-" : $"+{landed - window.Open}")} epochs); {restart}");
                output.WriteLine($"{results[^1]}; directory-failure deactivations so far: {deactivations.DirectoryFailures.Count}");
            }

            // The last WindowPoSt's landing is recorded while blocks still come (the miner grain waits for one on top).
            await h.LandedPoStAsync(windows[^1].Window.Index);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(load);
            await clock.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        // No proving grain lost its activation to a markets silo leaving the directory, and every PoSt landed in its window.
        Assert.Empty(deactivations.DirectoryFailures);
        Assert.All(results, r => Assert.DoesNotContain("never", r, StringComparison.Ordinal));
        foreach (var (window, _) in windows)
        {
            Assert.Equal(1, h.Pushes.PoSts(window.Index));
        }
    }

    // The proving grains' "deactivating" log lines whose reason is a directory failure (the silo holding their registration left).
    private sealed class DeactivationLog : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> DirectoryFailures => [.. _lines];

        public ILogger CreateLogger(string categoryName) => new Writer(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Writer(DeactivationLog log, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && category.StartsWith("Granary.", StringComparison.Ordinal);

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var line = formatter(state, exception);
                if (line.Contains("deactivating", StringComparison.Ordinal) && line.Contains("DirectoryFailure", StringComparison.Ordinal))
                {
                    log._lines.Enqueue(line);
                }
            }
        }
    }

    // The test cluster shares one in-memory grain directory between its silos by default, which no silo leaving can disturb;
    // a real cluster keeps Orleans' own directory in its silos (the option is internal to the testing host).
    private static void UseSiloGrainDirectory(InProcessTestClusterBuilder builder) =>
        (typeof(InProcessTestClusterOptions).GetProperty("UseTestClusterGrainDirectory", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("the testing host has no UseTestClusterGrainDirectory option any more"))
        .SetValue(builder.Options, false);

    // The grains whose directory entry the markets silo owns on the two-silo ring of Orleans' default (DHT) grain directory:
    // the owner of a grain is the silo with the largest consistent hash not above the grain's hash, else the largest.
    private static HashSet<string> OwnedBy(SiloAddress markets, SiloAddress prover, List<(string Name, GrainId Grain)> grains)
    {
        var ring = new[] { markets, prover }.OrderBy(s => s.GetConsistentHashCode()).ToArray();
        return [.. grains.Where(g =>
        {
            var hash = unchecked((int)g.Grain.GetUniformHashCode());
            var owner = ring.LastOrDefault(s => s.GetConsistentHashCode() <= hash) ?? ring[^1];
            return owner.Equals(markets);
        }).Select(g => g.Name)];
    }

    // The epoch at which the partition is first seen proven, polled while the window is open; null if it closed first.
    private static async Task<long?> ProvenAtAsync(ProvingHarness h, DeadlineWindow window, ulong partition, Task clock)
    {
        while (true)
        {
            var head = (await h.Devnet.ChainHead()).Height;
            if ((await h.Devnet.StateMinerDeadlines(h.Miner, null))[(int)window.Index].PostSubmissions.Contains(partition))
            {
                return head;
            }

            if (head >= window.Close - 1)
            {
                return null;
            }

            ThrowIfStopped(clock);
            await Task.Delay(50); // polling the chain
        }
    }

    private static async Task UntilAsync(ProvingHarness h, long epoch, Task clock)
    {
        while ((await h.Devnet.ChainHead()).Height < epoch)
        {
            ThrowIfStopped(clock);
            await Task.Delay(50); // polling the chain
        }
    }

    private static void ThrowIfStopped(Task clock)
    {
        if (clock.IsCompleted)
        {
            clock.GetAwaiter().GetResult();
            throw new InvalidOperationException("the block clock stopped");
        }
    }

    // The devnet's block time: one block a second, whether or not proving keeps up.
    private static async Task MineAsync(ProvingHarness h, CancellationToken cancellationToken)
    {
        var next = Stopwatch.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            await h.Clock.AdvanceAsync(1, CancellationToken.None);
            next += (long)(BlockTime.TotalSeconds * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    // A thread that keeps one core busy until cancelled (the machine load under which the gateway restart once cost a PoSt).
    private static Task Spin(CancellationToken cancellationToken) => Task.Factory.StartNew(() =>
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Thread.SpinWait(10_000);
        }
    }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).ContinueWith(_ => { }, TaskScheduler.Default);
}
