namespace Granary.Grains.Proving;

/// <summary>
/// Where a mining silo's proving work runs: each sector check and each proof on a thread of its own (a
/// long-running task), never on the .NET thread pool that runs the grains' turns, with at most
/// <see cref="ProvingOptions.ParallelCheckLimit"/> checks and <see cref="ProvingOptions.ProofThreads"/> proofs at once.
/// </summary>
/// <remarks>
/// A check that hangs (a stuck disk) is abandoned after its time budget, but keeps its slot until its thread
/// returns: the slots count threads really in use.
/// </remarks>
public sealed class ProvingThreads(ProvingOptions options)
{
    private readonly SemaphoreSlim _checks = new(Math.Max(1, options.ParallelCheckLimit));
    private readonly SemaphoreSlim _proofs = new(Math.Max(1, options.ProofThreads));

    /// <summary>Runs a check once a slot is free, waiting for it at most <paramref name="timeout"/> from when it starts.</summary>
    /// <exception cref="TimeoutException">It ran longer than <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    public Task<T> CheckAsync<T>(Func<T> work, TimeSpan timeout, CancellationToken cancellationToken) =>
        RunAsync(_checks, _ => work(), timeout, cancellationToken);

    /// <summary>Runs a proof once a slot is free; the work sees the cancellation token.</summary>
    public Task<T> ProveAsync<T>(Func<CancellationToken, T> work, CancellationToken cancellationToken) =>
        RunAsync(_proofs, work, Timeout.InfiniteTimeSpan, cancellationToken);

    private static async Task<T> RunAsync<T>(SemaphoreSlim slots, Func<CancellationToken, T> work, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken);
        Task<T> running;
        try
        {
            running = Task.Factory.StartNew(() => work(cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        catch
        {
            slots.Release();
            throw;
        }

        _ = running.ContinueWith(_ => slots.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await running.WaitAsync(timeout, cancellationToken);
    }
}
