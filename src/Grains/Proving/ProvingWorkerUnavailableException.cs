using Orleans.Runtime;

namespace Granary.Grains.Proving;

/// <summary>The proving worker of a silo cannot be reached: the silo is gone or does not enable mining.</summary>
[GenerateSerializer, Alias("granary.ProvingWorkerUnavailableException")]
public sealed class ProvingWorkerUnavailableException : OrleansException
{
    /// <summary>Creates the exception for the worker keyed <paramref name="silo"/>.</summary>
    public ProvingWorkerUnavailableException(string silo, string reason)
        : base($"no proving worker for silo {silo}: {reason}")
    {
        Silo = silo;
    }

    /// <summary>The worker's key (a silo address).</summary>
    [Id(0)] public string Silo { get; private set; } = "";
}
