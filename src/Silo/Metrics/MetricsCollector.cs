using Granary.Chain;
using Granary.Grains.Deals;
using Granary.Grains.Metrics;
using Granary.Silo.Chain;
using Granary.Silo.Hosting;
using Granary.Silo.Web;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Metrics;

/// <summary>
/// Keeps the <see cref="GranaryMetrics"/> gauges current: every <see cref="Interval"/> it reads the chain head, and for this
/// repo's miner the deals by checkpoint, the sectors by state and the proving deadlines, through the silo's own API methods
/// (the figures <c>granary storage-deals list</c>, <c>sectors list</c> and <c>proving deadlines</c> show). The deal and sector
/// figures are the miner's, cluster-wide: every silo of a cluster reports the same ones.
/// </summary>
internal sealed partial class MetricsCollector(LocalApi api, IChainNode chain, SiloIdentity identity, ILogger<MetricsCollector> logger) : BackgroundService
{
    /// <summary>How often the gauges are refreshed.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly HashSet<string> _failing = new(StringComparer.Ordinal);
    private CancellationToken _stopping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                await CollectAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the silo is stopping (also when its start failed): not an error of the collector
        }
    }

    private async Task CollectAsync(CancellationToken ct)
    {
        await Part("head", async () =>
        {
            var head = await chain.ChainHead(ct);
            GranaryMetrics.ObserveHead(head.Height, DateTimeOffset.FromUnixTimeSeconds((long)head.Timestamp));
        });
        if (MinerFile.Read(identity.Repo.Root) is null)
        {
            return;
        }

        await Part("sectors", async () =>
        {
            var summary = await api.CallAsync("SectorsSummary", ct);
            GranaryMetrics.ObserveSectors(summary.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal));
        });
        await Part("deals", async () =>
        {
            var list = await api.CallAsync("MarketListDeals", ct, 0, DealMethods.MaxListed);
            var counts = Enum.GetNames<DealCheckpoint>().ToDictionary(n => n, _ => 0L, StringComparer.Ordinal);
            foreach (var deal in list.GetProperty("Deals").EnumerateArray())
            {
                var checkpoint = deal.GetProperty("Checkpoint").GetString() ?? "?";
                counts[checkpoint] = counts.GetValueOrDefault(checkpoint) + 1;
            }

            GranaryMetrics.ObserveDeals(counts);
        });
        await Part("deadlines", async () =>
        {
            var rows = await api.CallAsync("ProvingDeadlines", ct);
            GranaryMetrics.ObserveDeadlines([.. rows.EnumerateArray().Select(d => new DeadlineFigures(
                d.GetProperty("Index").GetUInt64(), d.GetProperty("Partitions").GetInt64(), d.GetProperty("ProvenPartitions").GetInt64(),
                d.GetProperty("Live").GetInt64(), d.GetProperty("Faults").GetInt64(), d.GetProperty("Recovering").GetInt64()))]);
        });
    }

    // A part that fails (the miner's grains not placed yet, the chain away) keeps its last figures; logged once per outage.
    private async Task Part(string name, Func<Task> collect)
    {
        try
        {
            await collect();
            if (_failing.Remove(name))
            {
                LogRecovered(name);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            if (_failing.Add(name))
            {
                LogFailed(name, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "metrics: {Part} figures could not be read ({Reason}); they keep their last values")]
    private partial void LogFailed(string part, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "metrics: {Part} figures are read again")]
    private partial void LogRecovered(string part);
}
