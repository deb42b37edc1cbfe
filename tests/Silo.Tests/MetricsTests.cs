using System.Diagnostics.Metrics;
using Granary.Grains.Metrics;

namespace Granary.Silo.Tests;

/// <summary>
/// The <c>Granary</c> meter as a listener sees it: instrument names, units and labels, refusal reasons turned into bounded
/// label values (the numbers in a message dropped, long or empty ones handled), and the gauges reading what the collector set.
/// </summary>
public sealed class MetricsTests
{
    [Theory]
    [InlineData("storage price per epoch less than asking price: 150 < 190", "storage price per epoch less than asking price")]
    [InlineData("Deal start epoch 1234 is too soon", "deal start epoch #### is too soon")]
    [InlineData("", "unspecified")]
    [InlineData("   :details only", "unspecified")]
    [InlineData("no colon at all", "no colon at all")]
    public void Refusal_messages_become_short_labels_without_their_numbers(string message, string reason) =>
        Assert.Equal(reason, GranaryMetrics.Reason(message));

    [Fact]
    public void An_oversized_reason_is_cut_to_80_characters()
    {
        var reason = GranaryMetrics.Reason(new string('x', 100_000) + ": tail");
        Assert.Equal(new string('x', 80), reason);
    }

    [Fact]
    public void Counters_histograms_and_gauges_publish_with_their_labels()
    {
        var seen = new List<(string Name, string? Unit, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GranaryMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument i, double v, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var t in tags)
            {
                copy[t.Key] = t.Value;
            }

            lock (seen)
            {
                seen.Add((i.Name, i.Unit, v, copy));
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();

        GranaryMetrics.ProposalDecided(false, "storage price per epoch less than asking price: 1 < 96");
        GranaryMetrics.ProposalDecided(true, "");
        GranaryMetrics.TransferReceived(4096);
        GranaryMetrics.StageFinished("PC1", "2KiB", TimeSpan.FromMilliseconds(250), "ok");
        GranaryMetrics.WindowPoStSending(7, 2, 1, -3);
        GranaryMetrics.ObserveSectors(new Dictionary<string, long> { ["Proving"] = 3 });
        GranaryMetrics.ObserveDeadlines([new DeadlineFigures(7, 1, 1, 2, 1, 0)]);
        GranaryMetrics.ObserveHead(42, DateTimeOffset.UtcNow.AddSeconds(-8));
        listener.RecordObservableInstruments();

        bool Has(string name, double value, params (string Key, object? Value)[] tags) => seen.Any(s => s.Name == name && s.Value == value
            && tags.All(t => s.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)));
        Assert.True(Has("granary.deal.proposals", 1, ("result", "refused"), ("reason", "storage price per epoch less than asking price")));
        Assert.True(Has("granary.deal.proposals", 1, ("result", "accepted")));
        Assert.True(Has("granary.deal.transfer", 4096, ("transport", "http")));
        Assert.True(Has("granary.sealing.stage.duration", 0.25, ("stage", "PC1"), ("sector_size", "2KiB"), ("outcome", "ok")));
        Assert.True(Has("granary.windowpost.submissions", 1, ("deadline", 7L)));
        Assert.True(Has("granary.windowpost.proven.sectors", 2, ("deadline", 7L)));
        Assert.True(Has("granary.windowpost.submit.latency.epochs", 0, ("deadline", 7L))); // a negative latency is clamped
        Assert.True(Has("granary.sectors", 3, ("state", "Proving")));
        Assert.True(Has("granary.windowpost.deadline.sectors", 1, ("deadline", 7L), ("kind", "faulty")));
        Assert.True(Has("granary.windowpost.deadline.partitions", 1, ("deadline", 7L), ("kind", "proven")));
        Assert.True(Has("granary.chain.head.height", 42));
        var lag = seen.First(s => s.Name == "granary.chain.head.lag");
        Assert.Equal("s", lag.Unit);
        Assert.InRange(lag.Value, 7.5, 60);
        Assert.Equal("By", seen.First(s => s.Name == "granary.deal.transfer").Unit);
        Assert.Contains(GranaryMetrics.RecentRefusals, r => r.Message == "storage price per epoch less than asking price: 1 < 96");
    }

    [Fact]
    public void Recent_refusals_are_bounded()
    {
        for (var i = 0; i < GranaryMetrics.MaxRecentRefusals * 3; i++)
        {
            GranaryMetrics.ProposalDecided(false, $"refused for test {i}: {new string('y', 1000)}");
        }

        Assert.InRange(GranaryMetrics.RecentRefusals.Count, 1, GranaryMetrics.MaxRecentRefusals);
        Assert.All(GranaryMetrics.RecentRefusals, r => Assert.True(r.Message.Length <= 300));
        Assert.Equal("refused for test ###", GranaryMetrics.RecentRefusals[^1].Reason);
    }
}
