using Granary.Chain;
using Granary.Chain.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Proving;

/// <summary>
/// Feeds chain head changes to the proving scheduler of this silo's miner. Every mining silo runs one (a grain
/// cannot hold a <c>ChainNotify</c> stream open forever; a background service can): the scheduler takes the
/// newest head from whichever arrives first. On a stream error it subscribes again after a short pause.
/// </summary>
public sealed partial class ProvingHeadService(
    IGrainFactory grains, IChainNode chain, ProvingMiner miner, IHostApplicationLifetime lifetime, ILogger<ProvingHeadService> logger)
    : BackgroundService
{
    /// <summary>The pause before subscribing again after a failure.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, lifetime.ApplicationStarted).WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            if (!lifetime.ApplicationStarted.IsCancellationRequested)
            {
                return; // stopped before it ever started (a failed start)
            }
        }

        string? address;
        try
        {
            address = miner.Read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogMinerUnreadable(e.Message); // the rest of the silo runs; this silo proves nothing
            return;
        }

        if (address is null)
        {
            LogNoMiner();
            return;
        }

        var scheduler = grains.GetGrain<IProvingSchedulerGrain>(address);
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await scheduler.Start();
                await foreach (var batch in chain.ChainNotify(stoppingToken))
                {
                    // A revert comes with the apply of the new head; the newest applied head is what counts.
                    if (batch.LastOrDefault(c => c.Type != HeadChangeType.Revert)?.Value is not { } head)
                    {
                        continue;
                    }

                    await scheduler.OnHead(new HeadNotice(head.Height, [.. head.Blocks.Select(b => b.Miner.ToString())]));
                    if (failing)
                    {
                        failing = false;
                        LogRecovered(address);
                    }
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                if (!failing)
                {
                    failing = true;
                    LogFailed(address, e.Message);
                }
            }

            try
            {
                await Task.Delay(RetryDelay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "proving: this silo's repo has no miner (run `granary init`); it proves nothing")]
    private partial void LogNoMiner();

    [LoggerMessage(Level = LogLevel.Error, Message = "proving: the repo's miner cannot be read ({Reason}); this silo proves nothing")]
    private partial void LogMinerUnreadable(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "proving miner {Miner}: following chain heads failed: {Reason}; subscribing again")]
    private partial void LogFailed(string miner, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "proving miner {Miner}: following chain heads again")]
    private partial void LogRecovered(string miner);
}
