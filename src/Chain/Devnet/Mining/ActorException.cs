namespace Granary.Chain.Devnet;

/// <summary>
/// An actor method refused a message: the exit code goes into the message's receipt and the message's state
/// changes are discarded. Shared by every devnet actor (it lives beside the miner rules that first needed it).
/// </summary>
/// <param name="exitCode">Filecoin's exit code for the refusal.</param>
/// <param name="message">What was wrong, in the chain's words.</param>
public sealed class ActorException(ExitCode exitCode, string message) : ChainException(message)
{
    /// <summary>The exit code for the receipt.</summary>
    public ExitCode ExitCode { get; } = exitCode;
}
