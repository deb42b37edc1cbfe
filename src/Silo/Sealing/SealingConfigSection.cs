using Granary.Grains.Sealing.Workers;
using Granary.Silo.Configuration;

namespace Granary.Silo.Sealing;

/// <summary>
/// Reads <c>[Sealing]</c>: the machine (<c>Cores</c>, <c>Memory</c>, <c>GpuSlots</c>), <c>ScratchLostAfter</c>, and per
/// task type <c>MaxParallel{Type}</c>, <c>{Type}Cores</c>, <c>{Type}Memory</c>, <c>{Type}GpuSlots</c> for the types
/// AddPiece, PreCommit1, PreCommit2, Commit1, Commit2, Finalize, Unseal.
/// </summary>
internal static class SealingConfigSection
{
    private const string Section = "Sealing";

    /// <summary>The largest core count accepted (each scheduled core gets a sealing thread).</summary>
    public const int MaxCores = 1024;

    /// <summary>The largest GPU slot count accepted.</summary>
    public const int MaxGpuSlots = 64;

    /// <summary>The shortest <c>ScratchLostAfter</c>: shorter than Orleans takes to declare a silo dead would restart sectors on every blip.</summary>
    public static readonly TimeSpan MinScratchLostAfter = TimeSpan.FromMinutes(1);

    /// <summary>The longest <c>ScratchLostAfter</c> (30 days).</summary>
    public static readonly TimeSpan MaxScratchLostAfter = TimeSpan.FromDays(30);

    public static SealingConfig Read(ConfigDocument r, SealingConfig d)
    {
        var cores = r.Int(Section, "Cores", d.Cores, 0, MaxCores);
        var memory = Size(r, "Memory", d.Memory == 0 ? "" : $"{d.Memory}", allowZero: true);
        var gpus = r.Int(Section, "GpuSlots", d.GpuSlots, 0, MaxGpuSlots);
        var lostAfter = d.ScratchLostAfter;
        r.String(Section, "ScratchLostAfter", GoText(d.ScratchLostAfter), v =>
        {
            lostAfter = GoDuration.Parse(v);
            if (lostAfter < MinScratchLostAfter || lostAfter > MaxScratchLostAfter)
            {
                throw new FormatException($"'{v}' must be from 1m to 720h");
            }
        });

        var tasks = new List<SealingTaskOverride>();
        foreach (var type in SealingTaskTypes.All)
        {
            var maxParallel = r.IsSet(Section, $"MaxParallel{type}") ? r.Int(Section, $"MaxParallel{type}", 0, 0, MaxCores) : 0;
            int? taskCores = r.IsSet(Section, $"{type}Cores") ? r.Int(Section, $"{type}Cores", 1, 1, MaxCores) : null;
            // The fallback only matters when the value has the wrong type, which is reported already.
            long? taskMemory = r.IsSet(Section, $"{type}Memory") ? Size(r, $"{type}Memory", "1", allowZero: false) : null;
            int? taskGpus = r.IsSet(Section, $"{type}GpuSlots") ? r.Int(Section, $"{type}GpuSlots", 0, 0, MaxGpuSlots) : null;
            if (maxParallel != 0 || taskCores is not null || taskMemory is not null || taskGpus is not null)
            {
                tasks.Add(new SealingTaskOverride(type, maxParallel, taskCores, taskMemory, taskGpus));
            }
        }

        return new SealingConfig(cores, memory, gpus, lostAfter, tasks.Count == 0 ? d.Tasks : tasks);
    }

    private static long Size(ConfigDocument r, string key, string fallback, bool allowZero)
    {
        var bytes = 0L;
        r.String(Section, key, fallback, v =>
        {
            if (v.Length == 0 && allowZero)
            {
                bytes = 0;
                return;
            }

            bytes = ByteSize.Parse(v);
            if (bytes <= 0)
            {
                throw new FormatException($"'{v}' must be more than 0 bytes");
            }
        });
        return bytes;
    }

    private static string GoText(TimeSpan duration) => $"{(long)duration.TotalSeconds}s";
}
