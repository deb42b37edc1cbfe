namespace Granary.Grains.Sealing.Workers;

/// <summary>
/// Answers "is the silo that ran sector N's PreCommit1 still there?" from Orleans membership. A sector grain
/// records <see cref="Here"/> when a stage makes scratch files and, after moving or reactivating, asks
/// <see cref="Check"/> before the next stage. The grain persists <see cref="ScratchCheck.GoneSince"/>, since
/// membership forgets dead silos and this silo may itself restart while it waits; once the holder has been
/// gone longer than <c>[Sealing] ScratchLostAfter</c> the answer is <see cref="ScratchState.Lost"/> and the
/// sector restarts from its unsealed pieces (that restart is the sector grain's).
/// </summary>
public sealed class ScratchSiloWatch(IClusterMembershipService membership, ILocalSiloDetails local, SealingWorkerOptions options, TimeProvider time)
{
    /// <summary>How long a holder may be gone before its scratch counts as lost.</summary>
    public TimeSpan ScratchLostAfter => options.ScratchLostAfter;

    /// <summary>This silo, as the holder of scratch files made here.</summary>
    public ScratchHolder Here => new(local.Name, local.SiloAddress.Endpoint.ToString());

    /// <summary>Where <paramref name="holder"/>'s scratch files stand now.</summary>
    /// <param name="holder">The silo that made them.</param>
    /// <param name="goneSince">What the previous check returned as <see cref="ScratchCheck.GoneSince"/>, if any.</param>
    public ScratchCheck Check(ScratchHolder holder, DateTimeOffset? goneSince)
    {
        ArgumentNullException.ThrowIfNull(holder);
        if (local.SiloAddress.Endpoint.ToString() == holder.Endpoint)
        {
            return new ScratchCheck(ScratchState.Here, null, local.SiloAddress);
        }

        var active = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && m.SiloAddress.Endpoint.ToString() == holder.Endpoint)
            .OrderByDescending(m => m.SiloAddress.Generation)
            .FirstOrDefault();
        if (active is not null)
        {
            return new ScratchCheck(ScratchState.Alive, null, active.SiloAddress);
        }

        var now = time.GetUtcNow();
        var since = goneSince ?? now;
        return new ScratchCheck(now - since > options.ScratchLostAfter ? ScratchState.Lost : ScratchState.Gone, since, null);
    }
}
