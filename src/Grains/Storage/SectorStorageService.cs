using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Storage;

/// <summary>
/// Runs a silo's <see cref="LocalStorage"/>: opens its paths at start, publishes its storage agent once the silo
/// is up, then heartbeats to the sector index every <see cref="LocalStorageOptions.HeartbeatInterval"/>
/// (±10 %, so silos started together don't report in lockstep).
/// </summary>
public sealed partial class SectorStorageService(
    LocalStorage storage, IGrainFactory grains, IHostApplicationLifetime lifetime, LocalStorageOptions options, ILogger<SectorStorageService> logger)
    : BackgroundService
{
    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the API listens, so storage calls see the attached paths.
        try
        {
            storage.Open();
        }
        catch (SectorStorageException e)
        {
            // An unreadable storage.json stops the silo: starting without its paths would stop proving them.
            throw new IOException(e.Message, e);
        }

        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, lifetime.ApplicationStarted).WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStarted.IsCancellationRequested)
        {
            // started
        }

        IStorageAgent? agent = null;
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // An observer reference lets the index hand other silos a way to call this one.
                agent ??= grains.CreateObjectReference<IStorageAgent>(storage);
                storage.Agent = agent;
                await storage.HeartbeatAsync(stoppingToken);
                if (failing)
                {
                    failing = false;
                    LogRecovered();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                if (!failing)
                {
                    failing = true;
                    LogHeartbeatFailed(e.Message);
                }
            }

            var jitter = 0.9 + (Random.Shared.NextDouble() * 0.2);
            try
            {
                await Task.Delay(options.HeartbeatInterval * jitter, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sector storage heartbeat failed: {Reason}; retrying every interval")]
    private partial void LogHeartbeatFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sector storage heartbeat reaches the sector index again")]
    private partial void LogRecovered();
}
