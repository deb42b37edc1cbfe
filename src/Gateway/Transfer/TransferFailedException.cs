namespace Granary.Gateway.Transfer;

/// <summary>
/// A transfer or its verification failed. <see cref="Retryable"/> says whether trying again later may succeed (the
/// server was unreachable or stalled; the staged part is kept for a resume) or not (the URL was refused, the data is
/// larger or smaller than the deal says, its CommP is not the proposal's).
/// </summary>
public sealed class TransferFailedException(string message, bool retryable, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Whether a later attempt may succeed.</summary>
    public bool Retryable { get; } = retryable;
}
