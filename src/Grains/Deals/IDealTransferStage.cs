namespace Granary.Grains.Deals;

/// <summary>
/// The stage after acceptance, on markets silos: pulls an accepted online deal's data into staging, verifies its
/// CommP and reports <see cref="DealCheckpoint.Transferred"/> (or the failure) to the deal grain. Implemented by the
/// gateway's transfer puller and registered in the silo's services; without one, accepted deals wait at
/// <see cref="DealCheckpoint.Accepted"/>.
/// </summary>
public interface IDealTransferStage
{
    /// <summary>Starts (or resumes) the transfer of an accepted deal; returns once it is under way, not when it ends.</summary>
    Task StartAsync(DealSnapshot deal, CancellationToken cancellationToken);
}
