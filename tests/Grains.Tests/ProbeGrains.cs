using Granary.Grains;
using Granary.Grains.Placement;
using Orleans.Runtime;

namespace Granary.Grains.Tests;

/// <summary>A grain that reports where it runs and keeps a persisted counter.</summary>
[Alias("granary.tests.IProbeGrain")]
public interface IProbeGrain : IGrainWithIntegerKey
{
    [Alias("Where")] Task<string> Where();
    [Alias("Increment")] Task<int> Increment();
}

[Alias("granary.tests.ISealingProbe")] public interface ISealingProbe : IProbeGrain;
[Alias("granary.tests.IMarketsProbe")] public interface IMarketsProbe : IProbeGrain;
[Alias("granary.tests.IMiningProbe")] public interface IMiningProbe : IProbeGrain;

[GenerateSerializer, Alias("granary.tests.ProbeState")]
public sealed class ProbeState
{
    [Id(0)] public int Count { get; set; }
}

public abstract class ProbeGrain(IPersistentState<ProbeState> state, ILocalSiloDetails silo) : Grain, IProbeGrain
{
    public Task<string> Where() => Task.FromResult(silo.Name);

    public async Task<int> Increment()
    {
        state.State.Count++;
        await state.WriteStateAsync();
        return state.State.Count;
    }
}

[RequiresSubsystem(Subsystem.Sealing)]
public sealed class SealingProbe([PersistentState("probe", GrainStorage.Name)] IPersistentState<ProbeState> s, ILocalSiloDetails d)
    : ProbeGrain(s, d), ISealingProbe;

[RequiresSubsystem(Subsystem.Markets)]
public sealed class MarketsProbe([PersistentState("probe", GrainStorage.Name)] IPersistentState<ProbeState> s, ILocalSiloDetails d)
    : ProbeGrain(s, d), IMarketsProbe;

[RequiresSubsystem(Subsystem.Mining)]
public sealed class MiningProbe([PersistentState("probe", GrainStorage.Name)] IPersistentState<ProbeState> s, ILocalSiloDetails d)
    : ProbeGrain(s, d), IMiningProbe;
