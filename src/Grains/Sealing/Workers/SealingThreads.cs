using System.Collections.Concurrent;

namespace Granary.Grains.Sealing.Workers;

/// <summary>
/// The pool's own threads, as a <see cref="TaskScheduler"/>. Heavy work runs here and never on the .NET
/// thread pool, which is where Orleans runs every grain's turns: a PreCommit1 blocking a thread for hours
/// would otherwise starve the silo. Work started here sees this scheduler as <see cref="TaskScheduler.Current"/>,
/// so the <c>await</c> continuations of async stages and tasks they start without naming a scheduler stay on
/// these threads. <c>Parallel.For</c> does only when given it (<c>ParallelOptions.TaskScheduler =
/// TaskScheduler.Current</c>): in .NET 10 a loop without that option runs on the thread pool.
/// </summary>
internal sealed class SealingThreads : TaskScheduler, IDisposable
{
    [ThreadStatic]
    private static SealingThreads? _owner;

    private readonly BlockingCollection<Task> _queue = new(new ConcurrentQueue<Task>());
    private readonly Thread[] _threads;

    /// <summary>Starts <paramref name="count"/> background threads named <c>{name} N</c>.</summary>
    public SealingThreads(int count, string name)
    {
        _threads = new Thread[count];
        for (var i = 0; i < count; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"{name} {i}" };
            _threads[i].Start();
        }
    }

    /// <summary>The thread name prefix of every pool's threads.</summary>
    public const string NamePrefix = "granary-sealing";

    /// <inheritdoc />
    public override int MaximumConcurrencyLevel => _threads.Length;

    /// <summary>True on one of this scheduler's threads.</summary>
    public bool OnOwnThread => _owner == this;

    /// <summary>Stops taking work and waits up to <paramref name="timeout"/> for the threads to finish what they run.</summary>
    public void Stop(TimeSpan timeout)
    {
        _queue.CompleteAdding();
        var deadline = DateTime.UtcNow + timeout;
        foreach (var thread in _threads)
        {
            if (thread != Thread.CurrentThread)
            {
                var left = deadline - DateTime.UtcNow;
                thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => Stop(TimeSpan.Zero);

    /// <inheritdoc />
    protected override void QueueTask(Task task)
    {
        if (!_queue.IsAddingCompleted)
        {
            try
            {
                _queue.Add(task);
                return;
            }
            catch (InvalidOperationException)
            {
                // Stopped between the check and the add; fall through.
            }
        }

        // After a stop, continuations of work still unwinding (a cancelled async stage) must still run
        // somewhere or their awaiters hang; they are short by then.
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Scheduler.TryExecuteTask(state.Task), (Scheduler: this, Task: task), preferLocal: false);
    }

    /// <inheritdoc />
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        OnOwnThread && TryExecuteTask(task);

    /// <inheritdoc />
    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    private void Run()
    {
        _owner = this;
        foreach (var task in _queue.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }
}
