using Granary.Silo.Configuration;
using Granary.Silo.Sealing;

namespace Granary.Silo.Proving;

/// <summary>
/// Reads <c>[Proving]</c> (lotus-miner's section and key names): <c>ParallelCheckLimit</c>, <c>SingleCheckTimeout</c>,
/// <c>PartitionCheckTimeout</c> (Go durations such as <c>10s</c>) and <c>MaxPartitionsPerPoStMessage</c>.
/// </summary>
internal static class ProvingConfigSection
{
    private const string Section = "Proving";

    /// <summary>The most checks at once accepted.</summary>
    public const int MaxParallelChecks = 4096;

    /// <summary>The shortest check budget accepted.</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest check budget accepted (a deadline's window is 30 minutes on mainnet).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);

    public static ProvingConfig Read(ConfigDocument r, ProvingConfig d)
    {
        var parallel = r.Int(Section, "ParallelCheckLimit", d.ParallelCheckLimit, 1, MaxParallelChecks);
        var single = Duration(r, "SingleCheckTimeout", d.SingleCheckTimeout);
        var partition = Duration(r, "PartitionCheckTimeout", d.PartitionCheckTimeout);
        var perMessage = r.Int(Section, "MaxPartitionsPerPoStMessage", d.MaxPartitionsPerPoStMessage, 0, Grains.Proving.ProvingOptions.PoStedPartitionsMax);
        if (partition < single)
        {
            r.Problem(Section, r.IsSet(Section, "PartitionCheckTimeout") ? "PartitionCheckTimeout" : "SingleCheckTimeout",
                $"[{Section}] PartitionCheckTimeout ({GoDuration.Format(partition)}) must be at least SingleCheckTimeout ({GoDuration.Format(single)})");
        }

        return new ProvingConfig(parallel, single, partition, perMessage);
    }

    private static TimeSpan Duration(ConfigDocument r, string key, TimeSpan fallback)
    {
        var value = fallback;
        r.String(Section, key, $"{(long)fallback.TotalMilliseconds}ms", v =>
        {
            value = GoDuration.Parse(v);
            if (value < MinTimeout || value > MaxTimeout)
            {
                throw new FormatException($"'{v}' must be from 100ms to 1h");
            }
        });
        return value;
    }
}
