namespace Granary.Grains.Deals;

/// <summary>
/// The SSRF guard as the deal grain sees it: a pre-flight check of an online deal's transfer URL when the proposal
/// arrives, so that a URL pointing at loopback, link-local or private addresses is refused at <c>Propose</c> with the
/// reason instead of failing later in the transfer. Implemented by the gateway's transfer URL policy on markets silos
/// (which checks again at connect time, so this is for an early, clear answer, not the guard itself).
/// </summary>
public interface ITransferUrlGuard
{
    /// <summary>Why a transfer from <paramref name="url"/> is refused (naming the refused addresses), or null if it may proceed.</summary>
    Task<string?> RefusalAsync(Uri url, CancellationToken cancellationToken);
}
