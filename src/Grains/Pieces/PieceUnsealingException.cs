namespace Granary.Grains.Pieces;

/// <summary>
/// A piece whose sector is being unsealed on demand, for longer than the retrieval waits (<c>[Retrieval] UnsealTimeout</c>):
/// ask again after <see cref="RetryAfter"/>. Callers that only know <see cref="PieceUnavailableException"/> treat it as that.
/// </summary>
[GenerateSerializer, Alias("granary.PieceUnsealingException")]
public sealed class PieceUnsealingException : PieceUnavailableException
{
    /// <summary>Creates the exception.</summary>
    public PieceUnsealingException(string message, TimeSpan retryAfter) : base(message) => RetryAfter = retryAfter;

    /// <summary>When to ask again.</summary>
    [Id(0)]
    public TimeSpan RetryAfter { get; private set; }
}
