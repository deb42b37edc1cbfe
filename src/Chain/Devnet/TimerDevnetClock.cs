using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Chain.Devnet;

/// <summary>
/// Mines an epoch every block delay on a background loop. An epoch that fails is logged and the next tick
/// tries again; a slow epoch delays the next tick rather than piling up.
/// </summary>
public sealed class TimerDevnetClock(ILogger<TimerDevnetClock>? logger = null) : IDevnetClock
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <inheritdoc />
    public DateTimeOffset Now => DateTimeOffset.UtcNow;

    /// <inheritdoc />
    public void Start(IEpochMiner miner, TimeSpan blockDelay)
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("this clock already serves a devnet node");
        }

        _loop = Task.Run(() => RunAsync(miner, blockDelay, _stop.Token));
    }

    private async Task RunAsync(IEpochMiner miner, TimeSpan blockDelay, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(blockDelay);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await miner.MineEpochAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    DevnetLog.EpochFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
