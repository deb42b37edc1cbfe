using Orleans.Runtime;

namespace Granary.Grains.Proving;

/// <summary>A proving request refused: a grain key that names no miner or deadline, a deadline out of range, a sector the chain does not know.</summary>
[GenerateSerializer, Alias("granary.ProvingException")]
public sealed class ProvingException : OrleansException
{
    /// <summary>Creates the exception.</summary>
    public ProvingException(string message) : base(message)
    {
    }
}
