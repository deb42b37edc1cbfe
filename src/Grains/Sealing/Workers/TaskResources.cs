namespace Granary.Grains.Sealing.Workers;

/// <summary>
/// What one running task of a type and sector size claims from its silo's <see cref="MachineResources"/>.
/// The pool admits a task only when its claim fits in what is free.
/// </summary>
/// <param name="Cores">Cores held while it runs (at least 1: every task holds one sealing thread).</param>
/// <param name="Memory">Bytes of memory held while it runs (lotus's <c>MaxMemory</c>: the peak).</param>
/// <param name="GpuSlots">GPU slots held while it runs, on a silo that has GPUs; on a silo without any the
/// stage runs on the CPU and claims none (as lotus does when a worker has no GPU).</param>
/// <param name="Multithreaded">The stage spreads over several threads (lotus's <c>MaxParallelism = -1</c>):
/// unless configured, its <paramref name="Cores"/> is 92% of the silo's cores, lotus's <c>ParallelNum/ParallelDenom</c>.</param>
[GenerateSerializer, Immutable, Alias("granary.TaskResources")]
public sealed record TaskResources(
    [property: Id(0)] int Cores,
    [property: Id(1)] long Memory,
    [property: Id(2)] int GpuSlots,
    [property: Id(3)] bool Multithreaded);
