namespace Granary.Grains.Metrics;

/// <summary>One proving deadline as the gauges show it.</summary>
/// <param name="Index">The deadline index (0–47).</param>
/// <param name="Partitions">Its partitions.</param>
/// <param name="ProvenPartitions">Partitions proven this period.</param>
/// <param name="Live">Live sectors.</param>
/// <param name="Faulty">Faulty sectors.</param>
/// <param name="Recovering">Sectors declared recovering.</param>
public sealed record DeadlineFigures(ulong Index, long Partitions, long ProvenPartitions, long Live, long Faulty, long Recovering);
