using Granary.Grains.Placement;
using Granary.Grains.Sealing.Workers;
using Granary.Grains.Storage;
using Granary.Proofs;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Granary.Grains.Tests;

/// <summary>
/// The pool as grains use it, in an in-process cluster of two sealing silos and a markets silo: the work runs
/// off the grain's scheduler while the grain stays responsive, the continuation comes back to the grain's
/// scheduler, and any silo sees every sealing silo's jobs (and only those) and can abort one.
/// </summary>
public sealed class SealingWorkerGrainTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((options, silo) =>
        {
            var subsystems = SubsystemSet.Of(options.SiloName == "Silo_2" ? Subsystem.Markets : Subsystem.Sealing);
            silo.UseSubsystems(subsystems);
            silo.UseSealingWorkers(subsystems, new SealingWorkerOptions { Cores = 2, Memory = 1L << 30 });
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Work_runs_off_the_grains_scheduler_while_the_grain_keeps_answering_and_resumes_on_it()
    {
        var grain = _cluster.Client.GetGrain<ISealingStageProbe>(1);
        var gate = WorkGate.Shared();

        var held = grain.RunHeld(gate.Id);
        await gate.Started.WaitAsync(Patience);

        // The work holds a thread, but not the grain's: an interleaving call runs on the grain meanwhile.
        Assert.StartsWith("pong from Silo_", await grain.Ping().WaitAsync(Patience));
        // A plain call still waits for the request in progress (that is Orleans' request scheduling, not a
        // blocked thread), which is why sector grains start stages without awaiting them in a request.
        var plain = grain.Where();
        var first = await Task.WhenAny(plain, Task.Delay(300)); // a bound on a call that must not complete, not work
        Assert.NotSame(plain, first);

        gate.Release();
        var seen = await held.WaitAsync(Patience);
        Assert.False(seen.WorkOnGrainScheduler, "the work ran on the grain's scheduler");
        Assert.False(seen.WorkOnThreadPool, "the work ran on a thread-pool thread");
        Assert.StartsWith("granary-sealing", seen.WorkThread);
        Assert.True(seen.ContinuationOnGrainScheduler, "the continuation after await left the grain's scheduler");
        Assert.StartsWith("Silo_", await plain.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_stage_started_from_a_call_completes_later_on_the_grain()
    {
        var grain = _cluster.Client.GetGrain<ISealingStageProbe>(2);
        var gate = WorkGate.Shared();

        await grain.Begin(gate.Id).WaitAsync(Patience); // returns at once: the stage runs on
        await gate.Started.WaitAsync(Patience);
        Assert.Equal("running", await grain.Outcome().WaitAsync(Patience));

        gate.Release();
        var outcome = await WaitForAsync(() => grain.Outcome(), o => o != "running");
        Assert.Equal("done on the grain's scheduler: 42", outcome);
    }

    [Fact]
    public async Task Any_silo_sees_the_jobs_of_every_sealing_silo_and_only_those_and_can_abort_one()
    {
        var sealing = _cluster.Silos.Single(s => s.Name == "Silo_1");
        var markets = _cluster.Silos.Single(s => s.Name == "Silo_2");
        var pool = _cluster.GetSiloServiceProvider(sealing.SiloAddress).GetRequiredService<SealingWorkerPool>();
        Assert.Null(_cluster.GetSiloServiceProvider(markets.SiloAddress).GetService<SealingWorkerPool>());
        var gate = new WorkGate();
        var running = pool.RunAsync(new SealingTask(new SectorId(1000, 7), SealingTaskType.PreCommit1, SealProofType.Sector2KiB),
            (ct, _) => gate.Hold(ct, 7));
        await gate.Started.WaitAsync(Patience);

        // Asked from the markets silo, which has no pool of its own.
        var directory = _cluster.GetSiloServiceProvider(markets.SiloAddress).GetRequiredService<SealingWorkerDirectory>();
        var snapshots = await directory.SnapshotsAsync();

        Assert.Equal(["Silo_0", "Silo_1"], snapshots.Select(s => s.Silo));
        Assert.All(snapshots, s => Assert.Null(s.Error));
        var job = Assert.Single(snapshots.Single(s => s.Silo == "Silo_1").Jobs);
        Assert.Equal((7UL, SealingTaskType.PreCommit1, SealingJobState.Running), (job.Sector.Number, job.Type, job.State));
        Assert.Equal(sealing.SiloAddress.ToParsableString(), snapshots.Single(s => s.Silo == "Silo_1").Address);
        Assert.Empty(snapshots.Single(s => s.Silo == "Silo_0").Jobs);

        Assert.Null(await directory.AbortAsync(Guid.NewGuid()));
        Assert.Equal("Silo_1", await directory.AbortAsync(job.Id));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Patience));
        Assert.True(gate.SawCancellation);
    }

    [Fact]
    public async Task A_worker_grain_lives_only_on_the_silo_its_key_names()
    {
        var markets = _cluster.Silos.Single(s => s.Name == "Silo_2");
        foreach (var silo in _cluster.Silos.Where(s => s.Name != "Silo_2"))
        {
            var snapshot = await _cluster.Client.GetGrain<ISealingWorkerGrain>(silo.SiloAddress.ToParsableString()).Snapshot();
            Assert.Equal(silo.Name, snapshot.Silo);
            Assert.Equal(2, snapshot.Capacity.Cores);
        }

        // The markets silo is active but has no pool; an unknown address and a non-address are refused too.
        foreach (var key in new[] { markets.SiloAddress.ToParsableString(), "10.9.9.9:11111@1", "not a silo" })
        {
            var error = await Assert.ThrowsAsync<SealingWorkerUnavailableException>(() => _cluster.Client.GetGrain<ISealingWorkerGrain>(key).Snapshot());
            Assert.Equal(key, error.Silo);
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(20); // polling a grain's state, not standing in for work
        }
    }
}

/// <summary>What <see cref="ISealingStageProbe.RunHeld"/> observed about threads and schedulers.</summary>
[GenerateSerializer, Alias("granary.tests.StageThreads")]
public sealed record StageThreads(
    [property: Id(0)] bool WorkOnGrainScheduler,
    [property: Id(1)] bool WorkOnThreadPool,
    [property: Id(2)] string WorkThread,
    [property: Id(3)] bool ContinuationOnGrainScheduler);

/// <summary>A grain that submits stages to its silo's pool the way a sector grain will.</summary>
[Alias("granary.tests.ISealingStageProbe")]
public interface ISealingStageProbe : IGrainWithIntegerKey
{
    /// <summary>Awaits a stage inside the request and reports where things ran.</summary>
    [Alias("RunHeld")] Task<StageThreads> RunHeld(Guid gate);

    /// <summary>Interleaves with a request in progress.</summary>
    [Alias("Ping"), AlwaysInterleave] Task<string> Ping();

    /// <summary>A plain (non-interleaving) call.</summary>
    [Alias("Where")] Task<string> Where();

    /// <summary>Starts a stage and returns without awaiting it, as a sector grain does.</summary>
    [Alias("Begin")] Task Begin(Guid gate);

    /// <summary>What the last stage started by <see cref="Begin"/> came to.</summary>
    [Alias("Outcome")] Task<string> Outcome();
}

[RequiresSubsystem(Subsystem.Sealing)]
public sealed class SealingStageProbe(SealingWorkerPool pool, ILocalSiloDetails silo) : Grain, ISealingStageProbe
{
    private string _outcome = "idle";

    public async Task<StageThreads> RunHeld(Guid gate)
    {
        var grainScheduler = TaskScheduler.Current;
        var held = WorkGate.Find(gate);
        var work = await pool.RunAsync(Stage(SealingTaskType.PreCommit1), (ct, _) =>
        {
            var seen = (Scheduler: TaskScheduler.Current, Thread.CurrentThread.IsThreadPoolThread, Name: Thread.CurrentThread.Name ?? "");
            held.Hold(ct, 0);
            return seen;
        });
        return new StageThreads(work.Scheduler == grainScheduler, work.IsThreadPoolThread, work.Name, TaskScheduler.Current == grainScheduler);
    }

    public Task<string> Ping() => Task.FromResult($"pong from {silo.Name}");

    public Task<string> Where() => Task.FromResult(silo.Name);

    public Task Begin(Guid gate)
    {
        var grainScheduler = TaskScheduler.Current;
        var held = WorkGate.Find(gate);
        _outcome = "running";
        _ = Continue(); // the request ends here; the stage's continuation runs as a later turn of this grain
        return Task.CompletedTask;

        async Task Continue()
        {
            try
            {
                var result = await pool.RunAsync(Stage(SealingTaskType.PreCommit2), (ct, _) => held.Hold(ct, 42));
                _outcome = TaskScheduler.Current == grainScheduler ? $"done on the grain's scheduler: {result}" : "done elsewhere";
            }
            catch (Exception e)
            {
                _outcome = $"failed: {e.Message}";
            }
        }
    }

    public Task<string> Outcome() => Task.FromResult(_outcome);

    private SealingTask Stage(SealingTaskType type) =>
        new(new SectorId(1000, (ulong)this.GetPrimaryKeyLong()), type, SealProofType.Sector2KiB);
}
