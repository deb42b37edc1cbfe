namespace Granary.Grains.Sealing.Workers;

/// <summary>
/// A sealing silo's worker pool settings (the silo's <c>[Sealing]</c> config section).
/// </summary>
public sealed record SealingWorkerOptions
{
    /// <summary>The default of <see cref="ScratchLostAfter"/>.</summary>
    public static readonly TimeSpan DefaultScratchLostAfter = TimeSpan.FromHours(1);

    /// <summary>Cores the pool schedules; 0 (the default): <see cref="Environment.ProcessorCount"/>.</summary>
    public int Cores { get; init; }

    /// <summary>Bytes of memory the pool schedules; 0 (the default): the machine's physical memory (or the container's limit).</summary>
    public long Memory { get; init; }

    /// <summary>GPU slots; 0 (the default): no GPU, and GPU-capable stages run on the CPU.</summary>
    public int GpuSlots { get; init; }

    /// <summary>
    /// How long the silo holding a sector's scratch files may be gone before the sector restarts from its
    /// unsealed pieces elsewhere (see <see cref="ScratchSiloWatch"/>).
    /// </summary>
    public TimeSpan ScratchLostAfter { get; init; } = DefaultScratchLostAfter;

    /// <summary>Per task type settings; types not listed keep the defaults.</summary>
    public IReadOnlyList<SealingTaskOverride> Tasks { get; init; } = [];

    /// <summary>The cores the pool schedules on this machine.</summary>
    public int EffectiveCores => Cores > 0 ? Cores : Environment.ProcessorCount;

    /// <summary>The memory the pool schedules on this machine.</summary>
    public long EffectiveMemory => Memory > 0 ? Memory : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>The settings for <paramref name="type"/>, or the defaults.</summary>
    public SealingTaskOverride For(SealingTaskType type) => Tasks.LastOrDefault(t => t.Type == type) ?? new SealingTaskOverride(type);
}
