namespace Granary.Gateway.Transfer;

/// <summary>Timeouts and retries of HTTP pull transfers.</summary>
/// <param name="ConnectTimeout">Longest TCP (and TLS) connect.</param>
/// <param name="ResponseTimeout">Longest wait for response headers.</param>
/// <param name="StallTimeout">Longest time without a byte of the body before the attempt is given up (resumed by the next).</param>
/// <param name="Attempts">Attempts per pull for transient failures (each resumes where the last stopped).</param>
/// <param name="RetryDelay">Wait before the second attempt, doubled for each later one.</param>
/// <param name="CommPThreads">Threads computing CommP of the staged data (0: every core).</param>
public sealed record TransferOptions(
    TimeSpan ConnectTimeout,
    TimeSpan ResponseTimeout,
    TimeSpan StallTimeout,
    int Attempts,
    TimeSpan RetryDelay,
    int CommPThreads = 0)
{
    /// <summary>30 s connect, 60 s headers, 60 s stall, 5 attempts from 2 s apart.</summary>
    public static TransferOptions Default { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), 5,
        TimeSpan.FromSeconds(2));
}
