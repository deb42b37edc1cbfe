namespace Granary.Grains.Deals;

/// <summary>
/// Boost's deal checkpoints (<c>dealcheckpoints</c>), in order. A deal moves forward only; <see cref="Complete"/> is
/// terminal and, as in Boost, is where a failed deal ends (with its error). A deal that succeeds stays at
/// <see cref="IndexedAndAnnounced"/> and then reports its sector's sealing state.
/// </summary>
public enum DealCheckpoint
{
    /// <summary>The proposal passed every check and was recorded; the data is not here yet.</summary>
    Accepted = 0,

    /// <summary>The data is in staging and its CommP equals the proposal's piece CID.</summary>
    Transferred = 1,

    /// <summary>The <c>PublishStorageDeals</c> message was sent.</summary>
    Published = 2,

    /// <summary>The message landed: the deal has its chain deal id.</summary>
    PublishConfirmed = 3,

    /// <summary>The piece was handed to a sector.</summary>
    AddedPiece = 4,

    /// <summary>The payload was indexed in the piece directory (and announced).</summary>
    IndexedAndAnnounced = 5,

    /// <summary>Terminal: failed or cancelled (see the deal's error).</summary>
    Complete = 6,
}
