namespace Granary.Grains.Miner;

/// <summary>The persisted state of <see cref="MinerGrain"/>.</summary>
[GenerateSerializer, Alias("granary.MinerGrainState")]
public sealed class MinerGrainState
{
    /// <summary>The on-chain info as last mirrored; null before the first read.</summary>
    [Id(0)] public MinerInfoMirror? Info { get; set; }

    /// <summary>One past the highest worker nonce this grain has pushed (0 before any).</summary>
    [Id(1)] public ulong NextNonce { get; set; }

    /// <summary>Pushed messages not yet seen on chain, oldest first.</summary>
    [Id(2)] public List<PendingMinerMessage> Pending { get; set; } = [];

    /// <summary>
    /// Messages pushed under a caller's key (<see cref="IMinerGrain.Push"/>), newest last, at most
    /// <see cref="MinerGrain.MaxKeyedMessages"/>; a dropped message's key is forgotten so that it can be pushed again.
    /// </summary>
    [Id(3)] public List<KeyedMinerMessage> Keyed { get; set; } = new();
}
