namespace Granary.Chain;

/// <summary>The chain refused or could not answer a request; the message is the chain's reason.</summary>
public class ChainException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The chain node could not be reached or answered with something that is not the API.</summary>
public sealed class ChainUnavailableException(string message, Exception? inner = null) : ChainException(message, inner);
