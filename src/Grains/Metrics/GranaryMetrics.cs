using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Granary.Grains.Metrics;

/// <summary>
/// Granary's metrics: one <see cref="System.Diagnostics.Metrics.Meter"/> named <c>Granary</c>, process-wide, which the silo
/// exports as Prometheus text at <c>/metrics</c> (OpenTelemetry). Counters and histograms are fed where the work happens
/// (the deal handler, the transfer puller, the sealing worker pool, the deadline grains) with one call each; the gauges read
/// the latest figures a silo's collector put here with the <c>Observe*</c> methods. Nothing here depends on Orleans, so
/// any project can record.
/// </summary>
public static class GranaryMetrics
{
    /// <summary>The meter's name, to enable in an OpenTelemetry meter provider.</summary>
    public const string MeterName = "Granary";

    /// <summary>Most distinct refusal reasons kept as label values; later ones are counted as <c>other</c>.</summary>
    public const int MaxReasons = 40;

    /// <summary>Most refused proposals kept in <see cref="RecentRefusals"/>.</summary>
    public const int MaxRecentRefusals = 50;

    private static readonly Meter Instance = new(MeterName, typeof(GranaryMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> Proposals = Instance.CreateCounter<long>("granary.deal.proposals", null,
        "Deal proposals answered by this silo's libp2p deal handler, by result (accepted, refused) and refusal reason.");

    private static readonly Counter<long> TransferBytes = Instance.CreateCounter<long>("granary.deal.transfer", "By",
        "Deal data bytes pulled into staging over HTTP.");

    private static readonly Histogram<double> StageDuration = Instance.CreateHistogram("granary.sealing.stage.duration", "s",
        "How long a sealing task ran on this silo's worker pool, by stage, sector size and outcome (ok, failed, cancelled).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.025, 0.1, 0.5, 1, 5, 30, 60, 300, 900, 1800, 3600, 7200, 14400] });

    private static readonly Counter<long> PoStSubmissions = Instance.CreateCounter<long>("granary.windowpost.submissions", null,
        "WindowPoSt messages sent, by deadline.");

    private static readonly Counter<long> PoStProvenSectors = Instance.CreateCounter<long>("granary.windowpost.proven.sectors", null,
        "Sectors proven by the WindowPoSts sent, by deadline.");

    private static readonly Counter<long> PoStSkippedSectors = Instance.CreateCounter<long>("granary.windowpost.skipped.sectors", null,
        "Sectors skipped (unreadable, declared faulty) by the WindowPoSts sent, by deadline.");

    private static readonly Histogram<long> PoStLatency = Instance.CreateHistogram("granary.windowpost.submit.latency.epochs", (string?)null,
        "Epochs from a deadline's window opening to its WindowPoSt being sent (the window is 60 epochs on mainnet).",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 30, 40, 50, 60] });

    private static readonly ConcurrentDictionary<string, byte> Reasons = new(StringComparer.Ordinal);
    private static readonly ConcurrentQueue<RefusedProposal> Refusals = new();

    private static volatile Figures _figures = Figures.Empty;

    static GranaryMetrics()
    {
        Instance.CreateObservableGauge("granary.deals", () => _figures.Deals.Select(kv =>
            new Measurement<long>(kv.Value, new KeyValuePair<string, object?>("checkpoint", kv.Key))), null,
            "Deals of this miner by checkpoint (cluster-wide, from the deal directory).");
        Instance.CreateObservableGauge("granary.sectors", () => _figures.Sectors.Select(kv =>
            new Measurement<long>(kv.Value, new KeyValuePair<string, object?>("state", kv.Key))), null,
            "Sectors of this miner by sealing state.");
        Instance.CreateObservableGauge("granary.windowpost.deadline.sectors", () => _figures.Deadlines.SelectMany(d => new[]
        {
            Deadline(d.Live, d.Index, "live"),
            Deadline(d.Faulty, d.Index, "faulty"),
            Deadline(d.Recovering, d.Index, "recovering"),
        }), null, "Sectors in each proving deadline: live, faulty and recovering.");
        Instance.CreateObservableGauge("granary.windowpost.deadline.partitions", () => _figures.Deadlines.SelectMany(d => new[]
        {
            Deadline(d.Partitions, d.Index, "all"),
            Deadline(d.ProvenPartitions, d.Index, "proven"),
        }), null, "Partitions in each proving deadline, and those proven in its current period.");
        Instance.CreateObservableGauge("granary.chain.head.lag", () => _figures.HeadTimestamp is { } at
            ? [new Measurement<double>(Math.Max(0, (DateTimeOffset.UtcNow - at).TotalSeconds))]
            : Array.Empty<Measurement<double>>(), "s", "Seconds the chain head's timestamp is behind the wall clock.");
        Instance.CreateObservableGauge("granary.chain.head.height", () => _figures.HeadHeight is { } h
            ? [new Measurement<long>(h)] : Array.Empty<Measurement<long>>(), null, "The chain head's epoch.");
    }

    /// <summary>The latest refused proposals this process answered, oldest first.</summary>
    public static IReadOnlyList<RefusedProposal> RecentRefusals => [.. Refusals];

    /// <summary>When the collector last updated the gauges, or null if never.</summary>
    public static DateTimeOffset? ObservedAt => _figures.ObservedAt;

    /// <summary>The deal handler answered a proposal.</summary>
    /// <param name="accepted">Whether the deal was taken.</param>
    /// <param name="message">The refusal message (empty when accepted).</param>
    public static void ProposalDecided(bool accepted, string message)
    {
        if (accepted)
        {
            Proposals.Add(1, new KeyValuePair<string, object?>("result", "accepted"), new KeyValuePair<string, object?>("reason", ""));
            return;
        }

        var reason = Reason(message);
        Proposals.Add(1, new KeyValuePair<string, object?>("result", "refused"), new KeyValuePair<string, object?>("reason", reason));
        Refusals.Enqueue(new RefusedProposal(DateTimeOffset.UtcNow, reason, message.Length > 300 ? message[..300] : message));
        while (Refusals.Count > MaxRecentRefusals && Refusals.TryDequeue(out _))
        {
        }
    }

    /// <summary>A transfer wrote <paramref name="bytes"/> more bytes of deal data into staging.</summary>
    public static void TransferReceived(long bytes) => TransferBytes.Add(bytes, new KeyValuePair<string, object?>("transport", "http"));

    /// <summary>A sealing task finished on a worker pool.</summary>
    /// <param name="stage">lotus's short task name (<c>AP</c>, <c>PC1</c>, <c>PC2</c>, <c>C1</c>, <c>C2</c>, <c>FIN</c>).</param>
    /// <param name="sectorSize">The proof's size name (<c>2KiB</c>, …).</param>
    /// <param name="elapsed">How long it ran.</param>
    /// <param name="outcome"><c>ok</c>, <c>failed</c> or <c>cancelled</c>.</param>
    public static void StageFinished(string stage, string sectorSize, TimeSpan elapsed, string outcome) =>
        StageDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("stage", stage),
            new KeyValuePair<string, object?>("sector_size", sectorSize), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>A deadline grain is sending a WindowPoSt.</summary>
    /// <param name="deadline">The deadline index.</param>
    /// <param name="proven">Sectors it proves.</param>
    /// <param name="skipped">Sectors it skips.</param>
    /// <param name="epochsAfterOpen">Epochs since the deadline's window opened.</param>
    public static void WindowPoStSending(ulong deadline, int proven, int skipped, long epochsAfterOpen)
    {
        var tag = new KeyValuePair<string, object?>("deadline", (long)deadline);
        PoStSubmissions.Add(1, tag);
        PoStProvenSectors.Add(proven, tag);
        PoStSkippedSectors.Add(skipped, tag);
        PoStLatency.Record(Math.Max(0, epochsAfterOpen), tag);
    }

    /// <summary>The collector's latest deal counts by checkpoint name.</summary>
    public static void ObserveDeals(IReadOnlyDictionary<string, long> byCheckpoint) =>
        _figures = _figures with { Deals = byCheckpoint, ObservedAt = DateTimeOffset.UtcNow };

    /// <summary>The collector's latest sector counts by state name.</summary>
    public static void ObserveSectors(IReadOnlyDictionary<string, long> byState) =>
        _figures = _figures with { Sectors = byState, ObservedAt = DateTimeOffset.UtcNow };

    /// <summary>The collector's latest view of the proving deadlines.</summary>
    public static void ObserveDeadlines(IReadOnlyList<DeadlineFigures> deadlines) =>
        _figures = _figures with { Deadlines = deadlines, ObservedAt = DateTimeOffset.UtcNow };

    /// <summary>The collector's latest chain head.</summary>
    public static void ObserveHead(long height, DateTimeOffset timestamp) =>
        _figures = _figures with { HeadHeight = height, HeadTimestamp = timestamp, ObservedAt = DateTimeOffset.UtcNow };

    /// <summary>
    /// A refusal message as a label value: the text before its first colon (the details after it carry numbers), lower case,
    /// at most 80 characters; past <see cref="MaxReasons"/> distinct reasons, <c>other</c>.
    /// </summary>
    public static string Reason(string message)
    {
        var colon = message.IndexOf(':', StringComparison.Ordinal);
        var text = (colon >= 0 ? message[..colon] : message).Trim().ToLowerInvariant();
        text = new string([.. text.Select(c => char.IsAsciiDigit(c) ? '#' : c)]);
        if (text.Length == 0)
        {
            text = "unspecified";
        }
        else if (text.Length > 80)
        {
            text = text[..80];
        }

        if (Reasons.ContainsKey(text))
        {
            return text;
        }

        return Reasons.Count < MaxReasons && Reasons.TryAdd(text, 0) ? text : Reasons.ContainsKey(text) ? text : "other";
    }

    private static Measurement<long> Deadline(long value, ulong index, string kind) =>
        new(value, new KeyValuePair<string, object?>("deadline", (long)index), new KeyValuePair<string, object?>("kind", kind));

    private sealed record Figures(
        IReadOnlyDictionary<string, long> Deals,
        IReadOnlyDictionary<string, long> Sectors,
        IReadOnlyList<DeadlineFigures> Deadlines,
        long? HeadHeight,
        DateTimeOffset? HeadTimestamp,
        DateTimeOffset? ObservedAt)
    {
        public static Figures Empty { get; } = new(new Dictionary<string, long>(), new Dictionary<string, long>(), [], null, null, null);
    }
}
