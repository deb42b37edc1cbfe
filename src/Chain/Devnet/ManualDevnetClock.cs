namespace Granary.Chain.Devnet;

/// <summary>
/// A clock that mines only when told: <see cref="AdvanceAsync"/> mines blocks one after another and returns
/// when the last is applied. Time moves by one block delay per epoch, so block timestamps are deterministic.
/// </summary>
public sealed class ManualDevnetClock(DateTimeOffset? start = null) : IDevnetClock
{
    private IEpochMiner? _miner;
    private TimeSpan _blockDelay;
    private long _ticks = (start ?? DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds())).UtcTicks;

    /// <inheritdoc />
    public DateTimeOffset Now => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <inheritdoc />
    public void Start(IEpochMiner miner, TimeSpan blockDelay)
    {
        if (Interlocked.CompareExchange(ref _miner, miner, null) is not null)
        {
            throw new InvalidOperationException("this clock already serves a devnet node");
        }

        _blockDelay = blockDelay;
    }

    /// <summary>Mines <paramref name="epochs"/> blocks, advancing time by a block delay before each.</summary>
    /// <exception cref="InvalidOperationException">The clock serves no node.</exception>
    public async Task AdvanceAsync(int epochs = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        var miner = _miner ?? throw new InvalidOperationException("the clock serves no devnet node yet");
        for (var i = 0; i < epochs; i++)
        {
            Interlocked.Add(ref _ticks, _blockDelay.Ticks);
            await miner.MineEpochAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _miner = null;
        return ValueTask.CompletedTask;
    }
}
