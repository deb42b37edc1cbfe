namespace Granary.Grains.Miner;

/// <summary>Where a pushed miner message stands (<see cref="IMinerGrain.CheckMessage"/>).</summary>
public enum MinerMessageFate
{
    /// <summary>In the node's pool, not on chain yet.</summary>
    Pending = 0,

    /// <summary>On chain: the status has its receipt.</summary>
    Landed = 1,

    /// <summary>Neither on chain nor in the node's pool (the node dropped it, or never had it): it will not land.</summary>
    Dropped = 2,
}
