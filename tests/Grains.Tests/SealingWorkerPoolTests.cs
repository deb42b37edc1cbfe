using System.Collections.Concurrent;
using System.Security.Cryptography;
using Granary.Filecoin.Pieces;
using Granary.Grains.Sealing.Workers;
using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Proofs.Seal;

namespace Granary.Grains.Tests;

/// <summary>
/// The sealing worker pool on its own: admission by cores, memory and GPU slots, refusals at submit, lotus's
/// task-type priority, round-robin across sectors, reservations, per-type limits, cancellation, exceptions,
/// progress, dedicated threads, and a real 2 KiB sector sealed through it.
/// </summary>
public sealed class SealingWorkerPoolTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("cores", "needs 4 cores ([Sealing] PreCommit1Cores) but this silo's pool has 2 in all ([Sealing] Cores)")]
    [InlineData("memory", "needs 64 GiB of memory ([Sealing] PreCommit1Memory) but this silo's pool has 8 GiB in all ([Sealing] Memory)")]
    [InlineData("gpu", "needs 2 GPU slots ([Sealing] Commit2GpuSlots) but this silo's pool has 1 ([Sealing] GpuSlots)")]
    public async Task A_task_larger_than_the_machine_is_refused_at_submit_and_never_queued(string resource, string message)
    {
        var (options, task) = resource switch
        {
            "cores" => (new SealingWorkerOptions { Cores = 2, Memory = 1L << 30, Tasks = [new(SealingTaskType.PreCommit1, Cores: 4)] },
                Task2K(1, SealingTaskType.PreCommit1)),
            // A 32 GiB PreCommit1 claims lotus's 64 GiB (and Curio's 4 cores).
            "memory" => (new SealingWorkerOptions { Cores = 4, Memory = 8L << 30 },
                new SealingTask(new SectorId(1000, 1), SealingTaskType.PreCommit1, SealProofType.Sector32GiB)),
            _ => (new SealingWorkerOptions { Cores = 2, Memory = 1L << 30, GpuSlots = 1, Tasks = [new(SealingTaskType.Commit2, GpuSlots: 2)] },
                Task2K(1, SealingTaskType.Commit2)),
        };
        using var pool = new SealingWorkerPool(options);
        var ran = false;

        var refused = pool.RunAsync(task, (_, _) => ran = true);

        Assert.True(refused.IsFaulted, "refused at submit, not after queueing");
        var error = await Assert.ThrowsAsync<SealingTaskRefusedException>(() => refused);
        Assert.Contains(message, error.Message);
        Assert.Contains(task.Type.Name(), error.Message);
        Assert.Empty(pool.Snapshot("s", "a").Jobs);
        Assert.False(ran);
    }

    [Fact]
    public async Task Tasks_start_only_while_their_cores_fit()
    {
        using var pool = new SealingWorkerPool(new SealingWorkerOptions { Cores = 2, Memory = 1L << 30 });
        var gates = Enumerable.Range(0, 3).Select(_ => new WorkGate()).ToArray();

        var runs = gates.Select((g, i) => pool.RunAsync(Task2K((ulong)i, SealingTaskType.AddPiece), (ct, _) => g.Hold(ct, i))).ToArray();
        await Task.WhenAll(gates[0].Started, gates[1].Started).WaitAsync(Patience);

        Assert.False(gates[2].Started.IsCompleted);
        Assert.Equal(new MachineResources(2, 4096, 0), pool.InUse);
        Assert.Equal([SealingJobState.Running, SealingJobState.Running, SealingJobState.Queued], pool.Snapshot("s", "a").Jobs.Select(j => j.State));

        gates[0].Release();
        await gates[2].Started.WaitAsync(Patience);
        gates[1].Release();
        gates[2].Release();
        var results = await Task.WhenAll(runs).WaitAsync(Patience);
        Assert.Equal([0, 1, 2], results);
        Assert.Equal(MachineResources.None, pool.InUse);
    }

    [Fact]
    public async Task Tasks_wait_for_memory_even_with_cores_free()
    {
        // A 2 KiB PreCommit1 claims 7 sectors' worth (14 KiB): two fit in 30 KiB, a third does not.
        using var pool = new SealingWorkerPool(new SealingWorkerOptions { Cores = 4, Memory = 30 << 10 });
        Assert.Equal(14 << 10, pool.Table.For(SealingTaskType.PreCommit1, SealProofType.Sector2KiB).Memory);
        var gates = Enumerable.Range(0, 3).Select(_ => new WorkGate()).ToArray();

        var runs = gates.Select((g, i) => pool.RunAsync(Task2K((ulong)i, SealingTaskType.PreCommit1), (ct, _) => g.Hold(ct, i))).ToArray();
        await Task.WhenAll(gates[0].Started, gates[1].Started).WaitAsync(Patience);

        var queued = Assert.Single(pool.Snapshot("s", "a").Jobs, j => j.State == SealingJobState.Queued);
        Assert.Equal(2UL, queued.Sector.Number);
        Assert.Equal(2, pool.InUse.Cores);

        gates[1].Release();
        await gates[2].Started.WaitAsync(Patience);
        gates[0].Release();
        gates[2].Release();
        await Task.WhenAll(runs).WaitAsync(Patience);
    }

    [Fact]
    public async Task Gpu_slots_are_claimed_only_on_a_silo_that_has_them()
    {
        // With one GPU slot, a second Commit2 waits for the first although a core is free.
        using (var gpu = new SealingWorkerPool(new SealingWorkerOptions { Cores = 2, Memory = 1L << 30, GpuSlots = 1 }))
        {
            var (a, b) = (new WorkGate(), new WorkGate());
            var first = gpu.RunAsync(Task2K(1, SealingTaskType.Commit2), (ct, _) => a.Hold(ct, 1));
            var second = gpu.RunAsync(Task2K(2, SealingTaskType.Commit2), (ct, _) => b.Hold(ct, 2));
            await a.Started.WaitAsync(Patience);
            Assert.False(b.Started.IsCompleted);
            Assert.Equal(1, gpu.InUse.GpuSlots);
            a.Release();
            await b.Started.WaitAsync(Patience);
            b.Release();
            await Task.WhenAll(first, second).WaitAsync(Patience);
        }

        // Without GPUs the same stage runs on the CPU and claims no slot: both run at once.
        using var cpu = new SealingWorkerPool(new SealingWorkerOptions { Cores = 2, Memory = 1L << 30 });
        var (c, d) = (new WorkGate(), new WorkGate());
        var third = cpu.RunAsync(Task2K(1, SealingTaskType.Commit2), (ct, _) => c.Hold(ct, 1));
        var fourth = cpu.RunAsync(Task2K(2, SealingTaskType.Commit2), (ct, _) => d.Hold(ct, 2));
        await Task.WhenAll(c.Started, d.Started).WaitAsync(Patience);
        Assert.Equal(new MachineResources(2, 4096, 0), cpu.InUse);
        c.Release();
        d.Release();
        await Task.WhenAll(third, fourth).WaitAsync(Patience);
    }

    [Fact]
    public async Task Later_stages_start_first_in_lotus_order()
    {
        using var pool = new SealingWorkerPool(new SealingWorkerOptions { Cores = 1, Memory = 1L << 30 });
        var blocker = new WorkGate();
        var busy = pool.RunAsync(Task2K(99, SealingTaskType.AddPiece), (ct, _) => blocker.Hold(ct, 0));
        await blocker.Started.WaitAsync(Patience);

        var order = new ConcurrentQueue<SealingTaskType>();
        var runs = SealingTaskTypes.All.Select((type, i) =>
            pool.RunAsync(Task2K((ulong)i, type), (_, _) => { order.Enqueue(type); return type; })).ToArray();
        blocker.Release();
        await Task.WhenAll(runs).WaitAsync(Patience);
        await busy;

        Assert.Equal(
            [SealingTaskType.Finalize, SealingTaskType.Unseal, SealingTaskType.Commit1, SealingTaskType.Commit2,
             SealingTaskType.PreCommit2, SealingTaskType.PreCommit1, SealingTaskType.AddPiece],
            order);
    }

    [Fact]
    public async Task Sectors_take_turns_among_tasks_of_the_same_type()
    {
        using var pool = new SealingWorkerPool(new SealingWorkerOptions { Cores = 1, Memory = 1L << 30 });
        var blocker = new WorkGate();
        var busy = pool.RunAsync(Task2K(99, SealingTaskType.PreCommit1), (ct, _) => blocker.Hold(ct, 0));
        await blocker.Started.WaitAsync(Patience);

        // Three sectors each submit five PreCommit1 tasks, one sector after the other.
        var order = new ConcurrentQueue<ulong>();
        var runs = new List<Task<ulong>>();
        foreach (var sector in new ulong[] { 1, 2, 3 })
        {
            for (var i = 0; i < 5; i++)
            {
                runs.Add(pool.RunAsync(Task2K(sector, SealingTaskType.PreCommit1), (_, _) => { order.Enqueue(sector); return sector; }));
            }
        }

        ulong[] interleaved = [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3];
        var queued = pool.Snapshot("s", "a").Jobs.Where(j => j.State == SealingJobState.Queued).ToList();
        Assert.Equal(Enumerable.Range(1, 15), queued.Select(j => j.QueuePosition));
        Assert.Equal(interleaved, queued.Select(j => j.Sector.Number));

        blocker.Release();
        await Task.WhenAll(runs).WaitAsync(Patience);
        await busy;
        Assert.Equal(interleaved, order);
    }

    [Fact]
    public async Task A_waiting_task_reserves_what_it_needs_so_smaller_later_ones_cannot_starve_it()
    {
        using var pool = new SealingWorkerPool(new SealingWorkerOptions
        {
            Cores = 2, Memory = 1L << 30, Tasks = [new(SealingTaskType.PreCommit2, Cores: 2)],
        });
        var (pc1, pc2, ap) = (new WorkGate(), new WorkGate(), new WorkGate());
        var order = new ConcurrentQueue<SealingTaskType>();

        var runs = new[]
        {
            pool.RunAsync(Task2K(1, SealingTaskType.PreCommit1), (ct, _) => { order.Enqueue(SealingTaskType.PreCommit1); return pc1.Hold(ct, 1); }),
            pool.RunAsync(Task2K(2, SealingTaskType.PreCommit2), (ct, _) => { order.Enqueue(SealingTaskType.PreCommit2); return pc2.Hold(ct, 2); }),
            pool.RunAsync(Task2K(3, SealingTaskType.AddPiece), (ct, _) => { order.Enqueue(SealingTaskType.AddPiece); return ap.Hold(ct, 3); }),
        };
        await pc1.Started.WaitAsync(Patience);

        // One core is free, enough for the AddPiece, but the PreCommit2 ahead of it waits for two.
        Assert.Equal(1, pool.InUse.Cores);
        Assert.Equal(2, pool.Snapshot("s", "a").Jobs.Count(j => j.State == SealingJobState.Queued));

        pc1.Release();
        await pc2.Started.WaitAsync(Patience);
        Assert.False(ap.Started.IsCompleted);
        pc2.Release();
        ap.Release();
        await Task.WhenAll(runs).WaitAsync(Patience);
        Assert.Equal([SealingTaskType.PreCommit1, SealingTaskType.PreCommit2, SealingTaskType.AddPiece], order);
    }

    [Fact]
    public async Task A_type_at_its_limit_waits_without_holding_back_other_types()
    {
        using var pool = new SealingWorkerPool(new SealingWorkerOptions
        {
            Cores = 4, Memory = 1L << 30, Tasks = [new(SealingTaskType.PreCommit1, MaxParallel: 1)],
        });
        var (first, second, ap) = (new WorkGate(), new WorkGate(), new WorkGate());

        var runs = new[]
        {
            pool.RunAsync(Task2K(1, SealingTaskType.PreCommit1), (ct, _) => first.Hold(ct, 1)),
            pool.RunAsync(Task2K(2, SealingTaskType.PreCommit1), (ct, _) => second.Hold(ct, 2)),
            pool.RunAsync(Task2K(3, SealingTaskType.AddPiece), (ct, _) => ap.Hold(ct, 3)),
        };
        await Task.WhenAll(first.Started, ap.Started).WaitAsync(Patience);
        Assert.False(second.Started.IsCompleted);

        first.Release();
        await second.Started.WaitAsync(Patience);
        second.Release();
        ap.Release();
        await Task.WhenAll(runs).WaitAsync(Patience);
    }

    [Fact]
    public async Task A_cancelled_queued_task_never_runs_and_frees_its_place()
    {
        using var pool = new SealingWorkerPool(new SealingWorkerOptions { Cores = 1, Memory = 1L << 30 });
        var blocker = new WorkGate();
        var busy = pool.RunAsync(Task2K(1, SealingTaskType.PreCommit1), (ct, _) => blocker.Hold(ct, 1));
        await blocker.Started.WaitAsync(Patience);
        using var cancel = new CancellationTokenSource();
        var ran = false;

        var cancelled = pool.RunAsync(Task2K(2, SealingTaskType.PreCommit1), (_, _) => ran = true, cancel.Token);
        var next = pool.RunAsync(Task2K(3, SealingTaskType.PreCommit1), (_, _) => 3);
        Assert.Equal(3, pool.Snapshot("s", "a").Jobs.Length);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Patience));
        Assert.Equal([1UL, 3UL], pool.Snapshot("s", "a").Jobs.Select(j => j.Sector.Number));
        blocker.Release();
        Assert.Equal(3, await next.WaitAsync(Patience));
        await busy;
        Assert.False(ran);
        Assert.Equal(1, pool.Snapshot("s", "a").Totals.Single(t => t.Type == SealingTaskType.PreCommit1).Cancelled);
    }

    [Fact]
    public async Task A_cancelled_running_task_sees_its_token_and_releases_its_claim()
    {
        using var pool = new SealingWorkerPool(new SealingWorkerOptions { Cores = 1, Memory = 1L << 30 });
        var gate = new WorkGate();
        using var cancel = new CancellationTokenSource();
        var running = pool.RunAsync(Task2K(1, SealingTaskType.PreCommit2), (ct, _) => gate.Hold(ct, 1), cancel.Token);
        var next = pool.RunAsync(Task2K(2, SealingTaskType.PreCommit1), (_, _) => 2);
        await gate.Started.WaitAsync(Patience);
        Assert.False(next.IsCompleted);

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Patience));
        Assert.True(gate.SawCancellation, "the work saw its token fire");
        Assert.Equal(2, await next.WaitAsync(Patience));
        var totals = pool.Snapshot("s", "a").Totals.Single(t => t.Type == SealingTaskType.PreCommit2);
        Assert.Equal((0L, 1L), (totals.Completed, totals.Cancelled));
    }

    [Fact]
    public async Task Aborting_by_id_cancels_a_running_task()
    {
        using var pool = new SealingWorkerPool(new SealingWorkerOptions { Cores = 1, Memory = 1L << 30 });
        var gate = new WorkGate();
        var running = pool.RunAsync(Task2K(1, SealingTaskType.PreCommit1), (ct, _) => gate.Hold(ct, 1));
        await gate.Started.WaitAsync(Patience);
        var id = Assert.Single(pool.Snapshot("s", "a").Jobs).Id;

        Assert.False(pool.TryCancel(Guid.NewGuid()));
        Assert.True(pool.TryCancel(id));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Patience));
        Assert.True(gate.SawCancellation);
        Assert.Empty(pool.Snapshot("s", "a").Jobs);
    }

    [Fact]
    public async Task The_works_exception_reaches_the_caller_and_the_pool_carries_on()
    {
        using var pool = new SealingWorkerPool(new SealingWorkerOptions { Cores = 1, Memory = 1L << 30 });

        Func<CancellationToken, IProgress<StageProgress>, int> broken = (_, _) => throw new InvalidDataException("layer 2 of s-t01000-1 is truncated");
        var failed = pool.RunAsync(Task2K(1, SealingTaskType.PreCommit2), broken);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => failed.WaitAsync(Patience));
        Assert.Equal("layer 2 of s-t01000-1 is truncated", error.Message);
        Assert.Equal(MachineResources.None, pool.InUse);
        Assert.Equal(1, pool.Snapshot("s", "a").Totals.Single(t => t.Type == SealingTaskType.PreCommit2).Failed);
        Assert.Equal(7, await pool.RunAsync(Task2K(2, SealingTaskType.PreCommit2), (_, _) => 7).WaitAsync(Patience));
    }

    [Fact]
    public async Task Work_runs_on_the_pools_own_threads_and_so_do_its_awaits_and_loops_given_its_scheduler()
    {
        using var pool = new SealingWorkerPool(new SealingWorkerOptions { Cores = 2, Memory = 1L << 30 });
        var callerThread = Environment.CurrentManagedThreadId;

        var seen = await pool.RunAsync(Task2K(1, SealingTaskType.PreCommit2), (_, _) =>
        {
            var threads = new ConcurrentBag<(string? Name, bool Pooled)>();
            // .NET's Parallel.For runs on the thread pool unless given a scheduler; a stage that passes the
            // current one keeps its fan-out on the sealing threads.
            Parallel.For(0, 64, new ParallelOptions { TaskScheduler = TaskScheduler.Current },
                _ => threads.Add((Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread)));
            return (Scheduler: TaskScheduler.Current, Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread,
                Environment.CurrentManagedThreadId, Fanned: threads.ToArray());
        }).WaitAsync(Patience);

        Assert.NotSame(TaskScheduler.Default, seen.Scheduler);
        Assert.False(seen.IsThreadPoolThread);
        Assert.StartsWith("granary-sealing", seen.Name);
        Assert.NotEqual(callerThread, seen.CurrentManagedThreadId);
        Assert.All(seen.Fanned, t => Assert.False(t.Pooled));
        Assert.All(seen.Fanned, t => Assert.StartsWith("granary-sealing", t.Name));

        // An async stage's continuations come back to a sealing thread, not the thread pool.
        var resumed = await pool.RunAsync(Task2K(2, SealingTaskType.AddPiece), async (_, _) =>
        {
            await Task.Yield();
            var elsewhere = new TaskCompletionSource();
            ThreadPool.QueueUserWorkItem(_ => elsewhere.SetResult()); // completed on a thread-pool thread
            await elsewhere.Task;
            return (Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread);
        }).WaitAsync(Patience);
        Assert.StartsWith("granary-sealing", resumed.Name);
        Assert.False(resumed.IsThreadPoolThread);
    }

    [Fact]
    public async Task Jobs_show_state_progress_position_and_claim()
    {
        using var pool = new SealingWorkerPool(new SealingWorkerOptions { Cores = 1, Memory = 1L << 30 });
        var gate = new WorkGate();
        var running = pool.RunAsync(Task2K(5, SealingTaskType.PreCommit1), (ct, progress) =>
        {
            progress.Report(new StageProgress("PreCommit1", 0.5));
            return gate.Hold(ct, 5);
        });
        var queued = pool.RunAsync(Task2K(6, SealingTaskType.AddPiece), (_, _) => 6);
        await gate.Started.WaitAsync(Patience);

        var snapshot = pool.Snapshot("Silo_9", "127.0.0.1:11111@1");
        Assert.Equal(("Silo_9", "127.0.0.1:11111@1", Environment.MachineName), (snapshot.Silo, snapshot.Address, snapshot.Hostname));
        Assert.Equal(new MachineResources(1, 1L << 30, 0), snapshot.Capacity);
        Assert.Equal(new MachineResources(1, 14 << 10, 0), snapshot.InUse);
        var (first, second) = (snapshot.Jobs[0], snapshot.Jobs[1]);
        Assert.Equal((5UL, SealingTaskType.PreCommit1, SealingJobState.Running, 0, "PreCommit1", 0.5, "2KiB"),
            (first.Sector.Number, first.Type, first.State, first.QueuePosition, first.Stage, first.Progress, first.SectorSize));
        Assert.NotNull(first.Started);
        Assert.Equal(new TaskResources(1, 14 << 10, 0, false), first.Resources);
        Assert.Equal((6UL, SealingJobState.Queued, 1), (second.Sector.Number, second.State, second.QueuePosition));
        Assert.Null(second.Started);
        Assert.Equal(SealingTaskTypes.All.Count * SealProofType.All.Count, snapshot.Profiles.Length);

        gate.Release();
        await Task.WhenAll(running, queued).WaitAsync(Patience);
        var totals = pool.Snapshot("s", "a").Totals;
        Assert.Equal(1, totals.Single(t => t.Type == SealingTaskType.PreCommit1).Completed);
        Assert.Equal(1, totals.Single(t => t.Type == SealingTaskType.AddPiece).Completed);
    }

    [Fact]
    public async Task Stopping_the_pool_cancels_queued_and_running_tasks_and_refuses_new_ones()
    {
        var pool = new SealingWorkerPool(new SealingWorkerOptions { Cores = 1, Memory = 1L << 30 });
        var gate = new WorkGate();
        var running = pool.RunAsync(Task2K(1, SealingTaskType.PreCommit1), (ct, _) => gate.Hold(ct, 1));
        var queued = pool.RunAsync(Task2K(2, SealingTaskType.PreCommit1), (_, _) => 2);
        await gate.Started.WaitAsync(Patience);

        pool.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Patience));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(Patience));
        Assert.True(gate.SawCancellation);
        var refused = await Assert.ThrowsAsync<SealingTaskRefusedException>(() => pool.RunAsync(Task2K(3, SealingTaskType.AddPiece), (_, _) => 3));
        Assert.Contains("stopping", refused.Message);
    }

    [Fact]
    public async Task Many_submitters_and_cancellations_at_once_leave_every_task_accounted_for()
    {
        using var pool = new SealingWorkerPool(new SealingWorkerOptions { Cores = 2, Memory = 1L << 30 });
        var types = SealingTaskTypes.All;
        var cancels = new List<CancellationTokenSource>();
        var runs = await Task.WhenAll(Enumerable.Range(0, 8).Select(submitter => Task.Run(() =>
        {
            var mine = new List<Task<byte[]>>();
            for (var i = 0; i < 40; i++)
            {
                var cancel = new CancellationTokenSource();
                lock (cancels)
                {
                    cancels.Add(cancel);
                }

                if (i % 7 == 0)
                {
                    cancel.Cancel(); // cancelled before it is submitted
                }

                var payload = BitConverter.GetBytes(submitter * 1000 + i);
                mine.Add(pool.RunAsync(Task2K((ulong)(i % 5), types[(submitter + i) % types.Count]), (ct, _) =>
                {
                    ct.ThrowIfCancellationRequested();
                    return SHA256.HashData(payload);
                }, cancel.Token));
                if (i % 3 == 0)
                {
                    cancel.Cancel(); // while queued, running or done, whichever it is by now
                }
            }

            return mine;
        })));

        var all = runs.SelectMany(r => r).ToList();
        await Task.WhenAll(all.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(Patience);
        Assert.All(all, t => Assert.True(t.IsCompletedSuccessfully || t.IsCanceled, t.Exception?.ToString()));
        Assert.Equal(MachineResources.None, pool.InUse);
        var snapshot = pool.Snapshot("s", "a");
        Assert.Empty(snapshot.Jobs);
        Assert.Equal(all.Count(t => t.IsCompletedSuccessfully), snapshot.Totals.Sum(t => t.Completed));
        // Tasks cancelled before submission never enter the pool; every other cancellation is counted.
        var refusedAtOnce = runs.SelectMany(r => r.Where((_, i) => i % 7 == 0)).ToList();
        Assert.All(refusedAtOnce, t => Assert.True(t.IsCanceled));
        Assert.Equal(all.Count(t => t.IsCanceled) - refusedAtOnce.Count, snapshot.Totals.Sum(t => t.Cancelled));
        cancels.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task A_real_2KiB_sector_seals_through_the_pool_on_one_thread()
    {
        // One core: AddPiece (async, awaiting file writes) and every later stage share one sealing thread, so an
        // await continuation that could not get back onto it would hang here.
        using var pool = new SealingWorkerPool(new SealingWorkerOptions { Cores = 1, Memory = 1L << 30 });
        var type = SealProofType.Sector2KiB;
        var root = Directory.CreateTempSubdirectory("granary-sealing-pool-").FullName;
        try
        {
            var sector = new SectorId(1000, 1);
            var paths = SectorPaths.Under(root, sector.Miner, sector.Number);
            var sealer = new Sealer(type);
            var proverId = RandomNumberGenerator.GetBytes(32);
            var ticket = RandomNumberGenerator.GetBytes(32);
            ticket[31] &= 0x3F;
            var seed = RandomNumberGenerator.GetBytes(32);
            var payload = RandomNumberGenerator.GetBytes((int)PaddedPieceSize.Unpadded(type.SectorSize));
            var progress = new ConcurrentQueue<StageProgress>();

            var piece = await pool.RunAsync(new SealingTask(sector, SealingTaskType.AddPiece, type), (ct, _) =>
                PieceWriter.AddPieceAsync(type, paths.Unsealed, [], new MemoryStream(payload), type.SectorSize, ct));
            var pc1 = await pool.RunAsync(new SealingTask(sector, SealingTaskType.PreCommit1, type), (ct, p) =>
                sealer.PreCommit1(paths, proverId, sector.Number, ticket, new Tee(p, progress), ct));
            var pc2 = await pool.RunAsync(new SealingTask(sector, SealingTaskType.PreCommit2, type), (ct, p) =>
                sealer.PreCommit2(paths, pc1, p, ct));
            var vanilla = await pool.RunAsync(new SealingTask(sector, SealingTaskType.Commit1, type), (_, _) =>
                sealer.Commit1(paths, pc1, pc2, seed));
            var proof = await pool.RunAsync(new SealingTask(sector, SealingTaskType.Commit2, type), (_, _) => Sealer.Commit2(vanilla));
            await pool.RunAsync(new SealingTask(sector, SealingTaskType.Finalize, type), (_, _) =>
            {
                sealer.FinalizeSector(paths);
                return true;
            });

            Assert.Equal(type.SectorSize, piece.Piece.PaddedSize);
            Assert.True(SealVerifier.Verify(new SealVerifyInfo(type, proverId, sector.Number, ticket, seed, pc1.CommD, pc2.CommR), proof, out var reason), reason);
            Assert.Equal(Enumerable.Range(1, type.Layers).Select(l => (double)l / type.Layers), progress.Select(p => p.Fraction));
            Assert.False(File.Exists(paths.Layer(1)), "finalize dropped the layers");
            var totals = pool.Snapshot("s", "a").Totals;
            Assert.All(totals.Where(t => t.Type != SealingTaskType.Unseal), t => Assert.Equal((1L, 0L), (t.Completed, t.Failed)));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    internal static SealingTask Task2K(ulong sector, SealingTaskType type) =>
        new(new SectorId(1000, sector), type, SealProofType.Sector2KiB);

    private sealed class Tee(IProgress<StageProgress> pool, ConcurrentQueue<StageProgress> seen) : IProgress<StageProgress>
    {
        public void Report(StageProgress value)
        {
            seen.Enqueue(value);
            pool.Report(value);
        }
    }
}

/// <summary>
/// Work that the test controls: it signals when it starts on its thread, then holds that thread until released
/// or until its cancellation token fires (which it records).
/// </summary>
internal sealed class WorkGate
{
    private static readonly ConcurrentDictionary<Guid, WorkGate> Registry = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _release = new();
    private volatile bool _sawCancellation;

    /// <summary>This gate's id, for grains in the in-process cluster to find it (<see cref="Find"/>).</summary>
    public Guid Id { get; } = Guid.NewGuid();

    public Task Started => _started.Task;

    public bool SawCancellation => _sawCancellation;

    /// <summary>Registers a gate that grains can look up by id.</summary>
    public static WorkGate Shared()
    {
        var gate = new WorkGate();
        Registry[gate.Id] = gate;
        return gate;
    }

    public static WorkGate Find(Guid id) => Registry[id];

    public void Release() => _release.Set();

    public T Hold<T>(CancellationToken cancellationToken, T result)
    {
        _started.TrySetResult();
        try
        {
            _release.Wait(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _sawCancellation = true;
            throw;
        }

        return result;
    }
}
