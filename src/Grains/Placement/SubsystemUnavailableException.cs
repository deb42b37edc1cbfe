using Orleans.Runtime;

namespace Granary.Grains.Placement;

/// <summary>
/// No active silo in the cluster enables the subsystem a grain needs, so the grain cannot be placed.
/// Start a silo with that subsystem enabled (see <c>[Subsystems]</c> in config.toml).
/// </summary>
[GenerateSerializer, Alias("granary.SubsystemUnavailableException")]
public sealed class SubsystemUnavailableException : OrleansException
{
    /// <summary>Creates the exception for a grain type that needs <paramref name="subsystem"/>.</summary>
    public SubsystemUnavailableException(Subsystem subsystem, string grainType, int candidateCount)
        : base($"No active silo enables the {subsystem} subsystem, which grain type '{grainType}' requires "
            + $"({candidateCount} other active silo(s) considered). Start a silo with Enable{subsystem} = true.")
    {
        Subsystem = subsystem;
        GrainType = grainType;
    }

    /// <summary>The subsystem no silo offers.</summary>
    [Id(0)] public Subsystem Subsystem { get; private set; }

    /// <summary>The grain type that could not be placed.</summary>
    [Id(1)] public string GrainType { get; private set; } = "";
}
