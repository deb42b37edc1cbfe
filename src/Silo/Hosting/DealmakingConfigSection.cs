using Granary.Grains.Sealing.Workers;
using Granary.Silo.Configuration;
using Granary.Silo.Sealing;

namespace Granary.Silo.Hosting;

/// <summary>
/// Reads <c>[Dealmaking]</c>: <c>MaxStagingBytes</c> (a size, "0" = no limit), <c>MaxConcurrentTransfers</c>, <c>MaxSealingSectorsForDeals</c>,
/// <c>MaxDealsPerPublishMsg</c>, <c>PublishMsgPeriod</c> and <c>ExpectedSealDuration</c> (Go durations),
/// <c>StartEpochSealingBuffer</c> (epochs), <c>AllowPrivateTransferUrls</c> and <c>HttpRetrievalMultiaddr</c>.
/// </summary>
internal static class DealmakingConfigSection
{
    private const string Section = "Dealmaking";

    /// <summary>Most deals in one publish message (the market actor takes a few hundred; Boost defaults to 8).</summary>
    public const int MaxDealsPerMessage = 256;

    /// <summary>Largest <c>MaxSealingSectorsForDeals</c> accepted.</summary>
    public const int MaxSealingSectors = 100_000;

    /// <summary>Largest sealing buffer accepted, in epochs (30 days of 30 s epochs).</summary>
    public const int MaxSealingBuffer = 30 * 2880;

    /// <summary>Longest publish period or expected seal duration accepted.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(30);

    public static DealmakingConfig Read(ConfigDocument r, DealmakingConfig d)
    {
        var staging = d.MaxStagingBytes;
        r.String(Section, "MaxStagingBytes", $"{d.MaxStagingBytes}", v =>
        {
            staging = v.Trim() == "0" ? 0 : ByteSize.Parse(v);
            if (staging < 0)
            {
                throw new FormatException($"'{v}' must not be negative");
            }
        });
        var transfers = r.Int(Section, "MaxConcurrentTransfers", d.MaxConcurrentTransfers, 0, 100_000);
        var sealingSectors = r.Int(Section, "MaxSealingSectorsForDeals", d.MaxSealingSectorsForDeals, 0, MaxSealingSectors);
        var perMessage = r.Int(Section, "MaxDealsPerPublishMsg", d.MaxDealsPerPublishMsg, 1, MaxDealsPerMessage);
        var period = Duration(r, "PublishMsgPeriod", d.PublishMsgPeriod);
        var buffer = r.Int(Section, "StartEpochSealingBuffer", (int)d.StartEpochSealingBuffer, 0, MaxSealingBuffer);
        var sealing = Duration(r, "ExpectedSealDuration", d.ExpectedSealDuration);
        var allowPrivate = r.Bool(Section, "AllowPrivateTransferUrls", d.AllowPrivateTransferUrls);
        var retrieval = r.String(Section, "HttpRetrievalMultiaddr", d.HttpRetrievalMultiaddr, v =>
        {
            if (v.Length > 0 && !MultiaddrText.Parse(v).Any(p => p.Protocol is "http" or "https"))
            {
                throw new FormatException($"'{v}' must be a multiaddr ending in /http or /https, e.g. \"/dns/sp.example.com/tcp/443/https\"");
            }
        });
        return new DealmakingConfig(staging, transfers, perMessage, period, buffer, sealing, allowPrivate, retrieval)
        {
            MaxSealingSectorsForDeals = sealingSectors,
        };
    }

    private static TimeSpan Duration(ConfigDocument r, string key, TimeSpan fallback)
    {
        var value = fallback;
        r.String(Section, key, GoDuration.Format(fallback), v =>
        {
            value = GoDuration.Parse(v);
            if (value < TimeSpan.Zero || value > MaxDuration)
            {
                throw new FormatException($"'{v}' must be from 0s to 720h");
            }
        });
        return value;
    }
}
