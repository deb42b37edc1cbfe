using Granary.Proofs;

namespace Granary.Grains.Sealing.Workers;

/// <summary>
/// What each task type claims per sector size on one silo: the defaults below, with the operator's
/// <c>[Sealing]</c> overrides applied and multithreaded stages sized to the silo's cores.
/// </summary>
/// <remarks>
/// <para>The defaults are modelled on lotus's resource table (lotus storage/sealer/storiface/resources.go,
/// <c>ResourceTable</c>) and Curio's task table (harmony tasks: SDR 4 cores / 64 GiB, TreeRC 1 GPU,
/// PoRep 1 GPU, Finalize 1 core / 0.1 GiB):</para>
/// <list type="bullet">
/// <item><b>32 GiB and 64 GiB</b> (sizes only a production proofs engine seals; Granary's built-in engine keeps
/// layers in memory and stops at 512 MiB): lotus's <c>MaxMemory</c> verbatim (PC1 64/128 GiB, PC2 15/30 GiB,
/// C2 150/190 GiB, AddPiece 4/8 GiB, C1 1 GiB, Unseal = PC1 as lotus copies it), lotus's GPU use (PC2 and C2
/// one GPU), PC2 and C2 multithreaded (lotus −1), PC1 4 cores (Curio's SDR, = lotus's multicore SDR: 3
/// producers + 1), Finalize Curio's 1 core / 100 MiB.</item>
/// <item><b>2 KiB, 8 MiB, 512 MiB</b> (devnet sizes, sealed by Granary's engine): lotus charges exactly one
/// sector size here, which understates an engine that holds its buffers in memory, so the memory claim is
/// the larger of lotus's <c>MaxMemory</c> and the engine's own peak as a multiple of the sector size, read off
/// <c>Sealer</c>: PC1 7× (data, tree D 2×, two layers, the 14-parent table 1.75×), PC2 9× (both layers,
/// columns, tree C 2×, data, replica, tree R-last 2×), Unseal 8× (replica, two layers, data, tree D 2×,
/// parents), AddPiece, C1, C2 and Finalize 1× (they stream or read single nodes). Cores follow the engine:
/// labeling is sequential (PC1, Unseal 1 core), PC2 parallelizes (multithreaded), the rest use one thread;
/// C2 claims a GPU slot as in lotus.</item>
/// </list>
/// <para>Every claim is at least one core where lotus's C1 claims none, because every task here holds one of the
/// pool's threads while it runs.</para>
/// </remarks>
public sealed class SealingResourceTable
{
    /// <summary>lotus's share of the cores a multithreaded task takes: <c>ParallelNum / ParallelDenom</c> = 92/100.</summary>
    public const int MultithreadedPercent = 92;

    /// <summary>The largest sector size Granary's built-in engine seals; above it the table is lotus's.</summary>
    public const long EngineMaxSectorSize = 512L << 20;

    private const long MiB = 1L << 20, GiB = 1L << 30;

    private readonly Dictionary<(SealingTaskType, int), TaskResources> _table = [];
    private readonly Dictionary<SealingTaskType, int> _maxParallel = [];

    /// <summary>Builds the table for a silo with <paramref name="machineCores"/> cores and the given overrides.</summary>
    public SealingResourceTable(int machineCores, IEnumerable<SealingTaskOverride> overrides)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(machineCores, 1);
        var settings = SealingTaskTypes.All.ToDictionary(t => t, t => new SealingTaskOverride(t));
        foreach (var o in overrides)
        {
            settings[o.Type] = o;
        }

        foreach (var type in SealingTaskTypes.All)
        {
            var o = settings[type];
            _maxParallel[type] = o.MaxParallel;
            foreach (var proof in SealProofType.All)
            {
                var d = Default(type, proof, machineCores);
                _table[(type, proof.Id)] = new TaskResources(o.Cores ?? d.Cores, o.Memory ?? d.Memory, o.GpuSlots ?? d.GpuSlots, d.Multithreaded);
            }
        }
    }

    /// <summary>What one task of <paramref name="type"/> for a sector of <paramref name="proof"/> claims.</summary>
    public TaskResources For(SealingTaskType type, SealProofType proof) =>
        _table.TryGetValue((type, proof.Id), out var r) ? r : throw new ArgumentException($"no resource row for {type} / {proof.Name}");

    /// <summary>At most this many tasks of <paramref name="type"/> at once; 0: no limit but resources.</summary>
    public int MaxParallel(SealingTaskType type) => _maxParallel[type];

    /// <summary>Every row: (type, proof, claim).</summary>
    public IEnumerable<(SealingTaskType Type, SealProofType Proof, TaskResources Resources)> Rows =>
        SealingTaskTypes.All.SelectMany(t => SealProofType.All.Select(p => (t, p, For(t, p))));

    /// <summary>The built-in default claim, before overrides (see the type's remarks for where each number comes from).</summary>
    public static TaskResources Default(SealingTaskType type, SealProofType proof, int machineCores)
    {
        var size = proof.SectorSize;
        var production = size > EngineMaxSectorSize;
        var big = size >= 64 * GiB;
        var all = Math.Max(1, machineCores * MultithreadedPercent / 100);
        TaskResources Single(long memory, int gpu = 0) => new(1, memory, gpu, false);
        TaskResources Threads(long memory, int gpu = 0) => new(all, memory, gpu, true);
        long Engine(long lotusMaxMemory, int multiple) => Math.Max(lotusMaxMemory, multiple * size);

        return type switch
        {
            SealingTaskType.AddPiece => Single(production ? (big ? 8 * GiB : 4 * GiB) : Engine(size >= 512 * MiB ? GiB : size, 1)),
            SealingTaskType.PreCommit1 => production
                ? new TaskResources(4, big ? 128 * GiB : 64 * GiB, 0, false)
                : Single(Engine(size >= 512 * MiB ? GiB : size, 7)),
            SealingTaskType.PreCommit2 => production
                ? Threads(big ? 30 * GiB : 15 * GiB, gpu: 1)
                : Threads(Engine(size >= 512 * MiB ? 3 * GiB / 2 : size, 9)),
            SealingTaskType.Commit1 => Single(production ? GiB : Engine(size >= 512 * MiB ? GiB : size, 1)),
            SealingTaskType.Commit2 => production
                ? Threads(big ? 190 * GiB : 150 * GiB, gpu: 1)
                : Single(Engine(size >= 512 * MiB ? 3 * GiB / 2 : size, 1), gpu: 1),
            SealingTaskType.Finalize => Single(production ? 100 * MiB : size),
            SealingTaskType.Unseal => production
                ? new TaskResources(4, big ? 128 * GiB : 64 * GiB, 0, false)
                : Single(Engine(size >= 512 * MiB ? GiB : size, 8)),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
        };
    }
}
