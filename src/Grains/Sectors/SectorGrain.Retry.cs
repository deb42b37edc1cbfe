namespace Granary.Grains.Sectors;

// The operator's retry of a failed sector (ISectorRetryGrain).
public sealed partial class SectorGrain : ISectorRetryGrain
{
    /// <inheritdoc />
    public async Task<SectorState> RetryNow()
    {
        if (S.State == SectorState.Undefined)
        {
            throw new InvalidOperationException($"sector {_id.Number} of miner t0{_id.Miner} does not exist");
        }

        if (!S.State.IsFailure())
        {
            throw new InvalidOperationException($"sector {_id.Number} is in {S.State}, not a failed state: nothing to retry");
        }

        var failed = S.State;
        S.RetryAt = DateTimeOffset.UtcNow;
        await WriteAsync();
        Kick();
        return failed;
    }
}
