namespace Granary.Grains.Sealing.Workers;

/// <summary>The sealing silo an <see cref="ISealingWorkerGrain"/> key names is not an active sealing silo.</summary>
[GenerateSerializer, Alias("granary.SealingWorkerUnavailableException")]
public sealed class SealingWorkerUnavailableException : OrleansException
{
    /// <summary>Creates the exception for the grain key <paramref name="silo"/>.</summary>
    public SealingWorkerUnavailableException(string silo, string reason)
        : base($"sealing worker '{silo}' is unavailable: {reason}")
    {
        Silo = silo;
    }

    /// <summary>The silo address asked for.</summary>
    [Id(0)] public string Silo { get; private set; } = "";
}
