using System.Collections.Immutable;
using Granary.Grains.Storage;
using Granary.Proofs.Seal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Grains.Sealing.Workers;

/// <summary>
/// A sealing silo's worker pool: heavy stages run here, on the pool's own threads, admitted only when the
/// cores, memory and GPU slots they claim (<see cref="SealingResourceTable"/>) fit in what is free.
/// </summary>
/// <remarks>
/// <para><b>Calling it from a grain.</b> The pool is a singleton in each sealing silo's services; a grain placed
/// by <c>[RequiresSubsystem(Subsystem.Sealing)]</c> always activates on a sealing silo, so it takes the pool by
/// constructor injection and calls it in-process. No grain call is involved (the work is a delegate, which
/// could not cross silos anyway) and no system target. <see cref="RunAsync{TResult}(SealingTask, Func{CancellationToken, IProgress{StageProgress}, TResult}, CancellationToken)"/>
/// returns a task that a pool thread completes. Awaiting it does not block the grain's scheduler. The
/// grain's turn ends at the <c>await</c>, and since <c>await</c> captures <see cref="TaskScheduler.Current"/> (the
/// activation's scheduler, per Orleans' "external tasks and grains"), the continuation runs back on the grain,
/// single-threaded with its other turns. The pool's tasks complete their continuations asynchronously, so no
/// caller's code ever runs on a sealing thread.</para>
/// <para><b>Requests.</b> A non-reentrant grain that awaits a stage inside a grain call holds that request open
/// for the whole stage: other calls queue and the caller meets the 30 s response timeout. A grain should start
/// a stage from a call, a timer or a reminder without awaiting it in the request, persist that it did, and
/// handle the result in the continuation (see the tests' sector-style probe), or mark long methods
/// <c>[AlwaysInterleave]</c>.</para>
/// <para><b>Scheduling.</b> Among waiting tasks the pool starts the one with the best lotus task-type priority
/// (<see cref="SealingTaskTypes.Priority"/>: Finalize, Unseal, C1, C2, PC2, PC1, AddPiece, so sectors drain),
/// then the sector served least recently (round-robin across sectors; a sector new to the pool joins the end
/// of the round), then the oldest. A task that does not fit reserves what it needs, and lower ones may only
/// use what is left, so a PC2 needing many cores is not starved by a stream of PC1s. A type at its
/// <c>MaxParallel</c> limit reserves nothing.</para>
/// </remarks>
public sealed partial class SealingWorkerPool : IDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly List<Job> _queued = [];
    private readonly List<Job> _running = [];
    private readonly Dictionary<SectorId, SectorTurn> _sectors = [];
    private readonly Dictionary<SealingTaskType, TypeCounters> _counters = SealingTaskTypes.All.ToDictionary(t => t, _ => new TypeCounters());
    private readonly CancellationTokenSource _stopping = new();
    private readonly SealingThreads _threads;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private MachineResources _inUse = MachineResources.None;
    private long _sequence;
    private long _admissions;
    private bool _stopped;

    /// <summary>Creates the pool and its threads (one per scheduled core).</summary>
    public SealingWorkerPool(SealingWorkerOptions options, ILogger<SealingWorkerPool>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Capacity = new MachineResources(options.EffectiveCores, options.EffectiveMemory, options.GpuSlots);
        Table = new SealingResourceTable(Capacity.Cores, options.Tasks);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<SealingWorkerPool>.Instance;
        _threads = new SealingThreads(Capacity.Cores, SealingThreads.NamePrefix);
        LogPoolStarted(_logger, Capacity.Cores, ByteSize.Format(Capacity.Memory), Capacity.GpuSlots);
    }

    /// <summary>What the pool schedules.</summary>
    public MachineResources Capacity { get; }

    /// <summary>What each task type claims.</summary>
    public SealingResourceTable Table { get; }

    /// <summary>What running tasks hold now.</summary>
    public MachineResources InUse
    {
        get
        {
            lock (_lock)
            {
                return _inUse;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a sealing thread once <paramref name="task"/>'s resources are free, and
    /// completes with its result or exception.
    /// </summary>
    /// <param name="task">What the work is; selects its claim and its place in the queue.</param>
    /// <param name="work">The stage. It receives a token that fires when the caller cancels, the task is aborted
    /// (<see cref="TryCancel"/>) or the silo stops, and a progress sink shown by <c>sealing jobs</c>. It runs
    /// synchronously on its thread, with the pool as <see cref="TaskScheduler.Current"/>; a parallel loop stays on
    /// the pool's threads if it passes that scheduler in its <see cref="ParallelOptions"/>. It must not block on
    /// async code (use the async overload for that).</param>
    /// <param name="cancellationToken">Cancels a queued task at once; a running one through the work's token.</param>
    /// <returns>The work's result. Faults with <see cref="SealingTaskRefusedException"/> at once if the task claims more
    /// than the pool has in all; cancelled (<see cref="OperationCanceledException"/>) if cancelled before it ran, or
    /// if the work stopped with an <see cref="OperationCanceledException"/> after its token fired.</returns>
    public Task<TResult> RunAsync<TResult>(SealingTask task, Func<CancellationToken, IProgress<StageProgress>, TResult> work,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Submit(task, (token, progress) => Task.FromResult(work(token, progress)), cancellationToken);
    }

    /// <summary>
    /// As the synchronous overload, for stages that are async (AddPiece streams its payload): the work's
    /// synchronous parts and its <c>await</c> continuations run on sealing threads; the claim is held until
    /// its task completes.
    /// </summary>
    public Task<TResult> RunAsync<TResult>(SealingTask task, Func<CancellationToken, IProgress<StageProgress>, Task<TResult>> work,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Submit(task, work, cancellationToken);
    }

    /// <summary>Cancels the queued or running task <paramref name="id"/> (lotus's <c>sealing abort</c>).</summary>
    /// <returns>False if the pool has no such task.</returns>
    public bool TryCancel(Guid id)
    {
        Job? job;
        lock (_lock)
        {
            job = _queued.Concat(_running).FirstOrDefault(j => j.Id == id);
        }

        job?.Cancel();
        return job is not null;
    }

    /// <summary>The pool now, for <c>sealing jobs</c> and <c>sealing workers</c>.</summary>
    public SealingWorkerSnapshot Snapshot(string silo, string address)
    {
        lock (_lock)
        {
            var jobs = _running.OrderBy(j => j.Started).Select(j => j.ToJob(0))
                .Concat(StartOrder().Select((j, i) => j.ToJob(i + 1)));
            var totals = SealingTaskTypes.All.Select(t => _counters[t].ToTotals(t,
                _running.Count(j => j.Task.Type == t), _queued.Count(j => j.Task.Type == t)));
            var profiles = Table.Rows.Select(r => new SealingTaskProfile(r.Type, r.Proof.Id, r.Proof.Name, r.Resources, Table.MaxParallel(r.Type)));
            return new SealingWorkerSnapshot(silo, address, Environment.MachineName, Capacity, _inUse,
                [.. jobs], [.. totals], [.. profiles]);
        }
    }

    /// <summary>Stops the pool: queued tasks are cancelled, running ones see their token fire, and the threads
    /// are given a few seconds to finish.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
        }

        // The source is not disposed: a submission racing this stop still links to its (cancelled) token.
        _stopping.Cancel();
        _threads.Stop(StopTimeout);
    }

    private Task<TResult> Submit<TResult>(SealingTask task, Func<CancellationToken, IProgress<StageProgress>, Task<TResult>> work,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var resources = Table.For(task.Type, task.Proof);
        // Without GPUs, GPU-capable stages run on the CPU and claim no slot (lotus does the same).
        var claim = new MachineResources(resources.Cores, resources.Memory, Capacity.GpuSlots > 0 ? resources.GpuSlots : 0);
        if (Refusal(task, claim) is { } reason)
        {
            LogRefused(_logger, task.ToString(), reason);
            return Task.FromException<TResult>(new SealingTaskRefusedException(reason));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        var job = new Job<TResult>(this, task, resources, claim, work);
        // The token exists before the job is queued: another thread's admission may start it at once.
        job.Link(cancellationToken, _stopping.Token);
        lock (_lock)
        {
            if (_stopped)
            {
                return Task.FromException<TResult>(new SealingTaskRefusedException($"{task} refused: this silo's sealing worker pool is stopping"));
            }

            job.Sequence = ++_sequence;
            job.Submitted = _time.GetUtcNow();
            _queued.Add(job);
            if (!_sectors.TryGetValue(task.Sector, out var turn))
            {
                // A sector new to the pool joins the end of the current round.
                _sectors[task.Sector] = turn = new SectorTurn { LastServed = _admissions };
            }

            turn.Live++;
        }

        LogQueued(_logger, job.Id, task.ToString(), claim.Cores, ByteSize.Format(claim.Memory), claim.GpuSlots);
        // Watched only once queued, so a cancellation (even one already requested) finds it there.
        job.WatchCancellation();
        Admit();
        return job.Completion;
    }

    private string? Refusal(SealingTask task, MachineResources claim)
    {
        var key = task.Type.ToString();
        if (claim.Cores > Capacity.Cores)
        {
            return $"{task} needs {claim.Cores} cores ([Sealing] {key}Cores) but this silo's pool has {Capacity.Cores} in all ([Sealing] Cores)";
        }

        if (claim.Memory > Capacity.Memory)
        {
            return $"{task} needs {ByteSize.Format(claim.Memory)} of memory ([Sealing] {key}Memory) but this silo's pool has "
                + $"{ByteSize.Format(Capacity.Memory)} in all ([Sealing] Memory)";
        }

        if (claim.GpuSlots > Capacity.GpuSlots)
        {
            return $"{task} needs {claim.GpuSlots} GPU slots ([Sealing] {key}GpuSlots) but this silo's pool has {Capacity.GpuSlots} ([Sealing] GpuSlots)";
        }

        return null;
    }

    /// <summary>Starts every queued task the rules allow now.</summary>
    private void Admit()
    {
        List<Job> start = [];
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            var reserved = MachineResources.None;
            var passed = new HashSet<Job>();
            while (Best(passed) is { } best)
            {
                passed.Add(best);
                var limit = Table.MaxParallel(best.Task.Type);
                if (limit > 0 && _running.Count(j => j.Task.Type == best.Task.Type) >= limit)
                {
                    continue; // held back by its own limit, which frees nothing for it: reserve nothing
                }

                if (!Capacity.Minus(_inUse).Minus(reserved).Holds(best.Claim))
                {
                    reserved = reserved.Plus(best.Claim); // what lower tasks may not take from it
                    continue;
                }

                _queued.Remove(best);
                _running.Add(best);
                _inUse = _inUse.Plus(best.Claim);
                best.State = SealingJobState.Running;
                best.Started = _time.GetUtcNow();
                _sectors[best.Task.Sector].LastServed = ++_admissions;
                start.Add(best);
                // A start changes the round-robin order and what is free: reconsider everyone still waiting.
                passed.Clear();
                reserved = MachineResources.None;
            }
        }

        foreach (var job in start)
        {
            LogStarted(_logger, job.Id, job.Task.ToString(), job.Started - job.Submitted);
            // The work must not inherit whichever caller's context triggered this admission (a grain's
            // request context, another task's thread); it starts clean on a sealing thread.
            var suppress = !ExecutionContext.IsFlowSuppressed();
            var flow = suppress ? ExecutionContext.SuppressFlow() : default;
            try
            {
                _ = Task.Factory.StartNew(job.ExecuteAsync, CancellationToken.None, TaskCreationOptions.DenyChildAttach, _threads);
            }
            finally
            {
                if (suppress)
                {
                    flow.Undo();
                }
            }
        }
    }

    /// <summary>The next queued task by priority, then least recently served sector, then age; null if none is left.</summary>
    private Job? Best(HashSet<Job> passed)
    {
        Job? best = null;
        foreach (var job in _queued)
        {
            if (!passed.Contains(job) && (best is null || Before(job, best, _sectors)))
            {
                best = job;
            }
        }

        return best;
    }

    private static bool Before(Job a, Job b, IReadOnlyDictionary<SectorId, SectorTurn> sectors)
    {
        var pa = a.Task.Type.Priority();
        var pb = b.Task.Type.Priority();
        if (pa != pb)
        {
            return pa < pb;
        }

        var sa = sectors[a.Task.Sector].LastServed;
        var sb = sectors[b.Task.Sector].LastServed;
        return sa != sb ? sa < sb : a.Sequence < b.Sequence;
    }

    /// <summary>Queued tasks in the order the pool would start them if resources allowed each in turn.</summary>
    private List<Job> StartOrder()
    {
        var served = _sectors.ToDictionary(s => s.Key, s => new SectorTurn { LastServed = s.Value.LastServed });
        var left = new List<Job>(_queued);
        var order = new List<Job>(left.Count);
        var next = _admissions;
        while (left.Count > 0)
        {
            var best = left[0];
            foreach (var job in left)
            {
                if (Before(job, best, served))
                {
                    best = job;
                }
            }

            left.Remove(best);
            order.Add(best);
            served[best.Task.Sector].LastServed = ++next;
        }

        return order;
    }

    /// <summary>A task was cancelled: drop it if still queued (its reservation may have held others back).</summary>
    private void OnCancelled(Job job)
    {
        var dropped = false;
        lock (_lock)
        {
            if (job.State == SealingJobState.Queued && _queued.Remove(job))
            {
                dropped = true;
                _counters[job.Task.Type].Cancelled++;
                Leave(job);
            }
            else if (job.State == SealingJobState.Running)
            {
                job.State = SealingJobState.Cancelling;
            }
        }

        if (dropped)
        {
            LogCancelled(_logger, job.Id, job.Task.ToString(), "while queued");
            job.CompleteCancelled();
            Admit();
        }
    }

    /// <summary>A running task returned: release its claim, count it, and start what now fits.</summary>
    private void OnFinished(Job job, Exception? error, bool cancelled)
    {
        TimeSpan elapsed;
        lock (_lock)
        {
            _running.Remove(job);
            _inUse = _inUse.Minus(job.Claim);
            elapsed = _time.GetUtcNow() - job.Started!.Value;
            var counters = _counters[job.Task.Type];
            counters.Busy += elapsed;
            if (cancelled)
            {
                counters.Cancelled++;
            }
            else if (error is not null)
            {
                counters.Failed++;
            }
            else
            {
                counters.Completed++;
            }

            Leave(job);
        }

        if (cancelled)
        {
            LogCancelled(_logger, job.Id, job.Task.ToString(), "while running");
        }
        else if (error is not null)
        {
            LogFailed(_logger, error, job.Id, job.Task.ToString(), elapsed);
        }
        else
        {
            LogFinished(_logger, job.Id, job.Task.ToString(), elapsed);
        }

        Metrics.GranaryMetrics.StageFinished(job.Task.Type.Short(), job.Task.Proof.Name, elapsed, cancelled ? "cancelled" : error is null ? "ok" : "failed");
        Admit();
    }

    private void Leave(Job job)
    {
        if (--_sectors[job.Task.Sector].Live == 0)
        {
            _sectors.Remove(job.Task.Sector); // only sectors with work are remembered; one that returns joins the end of the round
        }
    }

    private sealed class SectorTurn
    {
        public long LastServed;
        public int Live;
    }

    private sealed class TypeCounters
    {
        public long Completed;
        public long Failed;
        public long Cancelled;
        public TimeSpan Busy;

        public SealingTaskTotals ToTotals(SealingTaskType type, int running, int queued) =>
            new(type, running, queued, Completed, Failed, Cancelled, Busy);
    }

    /// <summary>A submitted task, whatever its result type.</summary>
    private abstract class Job(SealingWorkerPool pool, SealingTask task, TaskResources resources, MachineResources claim)
        : IProgress<StageProgress>
    {
        private readonly object _gate = new();
        private CancellationTokenSource? _cancellation;
        private CancellationTokenRegistration _registration;
        private bool _released;
        private object? _progress;

        public Guid Id { get; } = Guid.NewGuid();
        public SealingTask Task { get; } = task;
        public MachineResources Claim { get; } = claim;
        public SealingJobState State { get; set; }
        public long Sequence { get; set; }
        public DateTimeOffset Submitted { get; set; }
        public DateTimeOffset? Started { get; set; }
        protected SealingWorkerPool Pool { get; } = pool;
        protected CancellationToken Token => _cancellation?.Token ?? CancellationToken.None;

        public void Report(StageProgress value) => Volatile.Write(ref _progress, value);

        public SealingJob ToJob(int position)
        {
            var progress = Volatile.Read(ref _progress) is StageProgress p ? p : default;
            return new SealingJob(Id, Task.Sector, Task.Type, Task.Proof.Name, State, position, Submitted, Started,
                progress.Stage ?? "", progress.Fraction, resources);
        }

        /// <summary>Ties the work's token to its caller's token and the pool's stop.</summary>
        public void Link(CancellationToken caller, CancellationToken stopping) =>
            _cancellation = CancellationTokenSource.CreateLinkedTokenSource(caller, stopping);

        /// <summary>From now on a cancellation reaches <see cref="OnCancelled"/> (at once if already requested).</summary>
        public void WatchCancellation()
        {
            lock (_gate)
            {
                // Another thread may have started and finished the job already.
                if (!_released)
                {
                    _registration = _cancellation!.Token.UnsafeRegister(static state => ((Job)state!).Pool.OnCancelled((Job)state!), this);
                }
            }
        }

        public void Cancel()
        {
            try
            {
                _cancellation?.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Finished meanwhile.
            }
        }

        public abstract Task ExecuteAsync();

        public abstract void CompleteCancelled();

        protected void Release()
        {
            CancellationTokenRegistration registration;
            lock (_gate)
            {
                if (_released)
                {
                    return;
                }

                _released = true;
                registration = _registration;
            }

            registration.Dispose();
            _cancellation?.Dispose();
        }
    }

    private sealed class Job<TResult>(SealingWorkerPool pool, SealingTask task, TaskResources resources, MachineResources claim,
        Func<CancellationToken, IProgress<StageProgress>, Task<TResult>> work) : Job(pool, task, resources, claim)
    {
        // Continuations run elsewhere, never inline on the sealing thread that completes the task.
        private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<TResult> Completion => _completion.Task;

        public override async Task ExecuteAsync()
        {
            var token = Token;
            TResult result = default!;
            Exception? error = null;
            var cancelled = token.IsCancellationRequested;
            if (!cancelled)
            {
                try
                {
                    result = await work(token, this);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    cancelled = true;
                }
                catch (Exception e)
                {
                    error = e;
                }
            }

            // Release the claim before the caller resumes, so a next stage it submits at once can start.
            Pool.OnFinished(this, error, cancelled);
            Release();
            if (cancelled)
            {
                _completion.TrySetCanceled(token);
            }
            else if (error is not null)
            {
                _completion.TrySetException(error);
            }
            else
            {
                _completion.TrySetResult(result);
            }
        }

        public override void CompleteCancelled()
        {
            var token = Token;
            Release();
            _completion.TrySetCanceled(token);
        }
    }
}
