using Orleans.Concurrency;

namespace Granary.Grains.Deals;

/// <summary>
/// One storage deal, keyed by the client's deal UUID, placed on markets silos. It holds Boost's checkpoints, so any
/// gateway can take a proposal and any can answer its status. <see cref="Propose"/> runs Boost's acceptance checks
/// and records an accepted deal before it answers; the later stages report with <see cref="RecordProgress"/> and
/// <see cref="Fail"/>.
/// </summary>
[Alias("granary.IDealGrain")]
public interface IDealGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Checks a proposal and, if every check passes, records it as <see cref="DealCheckpoint.Accepted"/> (persisted
    /// before the answer). A proposal equal to the recorded one is answered as before; a different one under the same
    /// UUID is refused.
    /// </summary>
    [Alias("Propose")]
    [ResponseTimeout("00:01:00")]
    Task<DealDecision> Propose(ProposedDeal deal);

    /// <summary>The deal, or null when no proposal was accepted under this UUID.</summary>
    [Alias("GetStatus"), AlwaysInterleave]
    Task<DealSnapshot?> GetStatus();

    /// <summary>Records that a later stage moved the deal on (persisted before returning).</summary>
    /// <exception cref="DealmakingException">No such deal, it is terminal, or the checkpoint would go backwards.</exception>
    [Alias("RecordProgress")]
    Task<DealSnapshot> RecordProgress(DealProgress progress);

    /// <summary>Fails the deal: terminal (<see cref="DealCheckpoint.Complete"/>) with <paramref name="error"/>; its reservations are released.</summary>
    /// <exception cref="DealmakingException">No such deal.</exception>
    [Alias("Fail")]
    Task<DealSnapshot> Fail(string error);

    /// <summary>
    /// The sector holding the deal's piece changed state: updates the deal's sealing status. Once the sector is past
    /// <c>Packing</c> (its unsealed copy holds the data) the deal's staging file is deleted.
    /// </summary>
    [Alias("SectorChanged"), OneWay]
    Task SectorChanged(SectorStateNotice notice);

    /// <summary>What the deal publisher needs: the signed proposal and where the deal is; null when there is no deal.</summary>
    [Alias("GetPublishCandidate"), AlwaysInterleave]
    Task<DealPublishCandidate?> GetPublishCandidate();
}
