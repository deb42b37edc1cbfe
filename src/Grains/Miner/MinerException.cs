namespace Granary.Grains.Miner;

/// <summary>
/// The miner grain could not do what was asked: the address is not a miner, this silo has no key for the worker,
/// the chain refused a message or cannot be reached. The message says which and what to do.
/// </summary>
[GenerateSerializer, Alias("granary.MinerException")]
public class MinerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MinerException(string message) : base(message)
    {
    }
}
