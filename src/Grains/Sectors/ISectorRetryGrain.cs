namespace Granary.Grains.Sectors;

/// <summary>
/// An operator's "retry now" for a sector in a <c>*Failed</c> state (the web UI's Retry action): the back-off is cut short
/// and the failed step runs again at once. Implemented by the sector grain (same key as <see cref="ISectorGrain"/>).
/// </summary>
[Alias("granary.ISectorRetryGrain")]
public interface ISectorRetryGrain : IGrainWithStringKey
{
    /// <summary>Retries the failed step now.</summary>
    /// <returns>The state the sector retries from (its failure state).</returns>
    /// <exception cref="InvalidOperationException">The sector does not exist or is not in a failed state.</exception>
    [Alias("RetryNow")]
    Task<SectorState> RetryNow();
}
