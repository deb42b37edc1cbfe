namespace Granary.Grains.Sealing.Workers;

/// <summary>
/// Operator settings for one task type (<c>[Sealing]</c> keys <c>MaxParallel{Type}</c>, <c>{Type}Cores</c>,
/// <c>{Type}Memory</c>, <c>{Type}GpuSlots</c>). A set value replaces the default claim for every sector size.
/// </summary>
/// <param name="Type">The task type.</param>
/// <param name="MaxParallel">At most this many at once on the silo; 0: as many as resources allow (lotus's <c>MaxConcurrent</c>).</param>
/// <param name="Cores">Cores one task claims, or null for the default.</param>
/// <param name="Memory">Bytes one task claims, or null for the default.</param>
/// <param name="GpuSlots">GPU slots one task claims on a silo with GPUs, or null for the default.</param>
public sealed record SealingTaskOverride(SealingTaskType Type, int MaxParallel = 0, int? Cores = null, long? Memory = null, int? GpuSlots = null);
