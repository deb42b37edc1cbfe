namespace Granary.Gateway.Retrieval;

/// <summary>Limits of the HTTP retrieval endpoint.</summary>
/// <param name="MaxCarBlocks">Most blocks in one <c>/ipfs</c> CAR response; a larger DAG is cut off (the response aborted).</param>
/// <param name="MaxConcurrentRequests">Requests served at once; more get 429 with <c>Retry-After</c>.</param>
public sealed record RetrievalOptions(int MaxCarBlocks = 1 << 20, int MaxConcurrentRequests = 64)
{
    /// <summary>The defaults.</summary>
    public static RetrievalOptions Default { get; } = new();
}
