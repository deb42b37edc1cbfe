namespace Granary.Grains.Miner;

/// <summary>What <see cref="IMinerGrain.GetInfo"/> answers: the mirror and the grain's own message bookkeeping.</summary>
/// <param name="Miner">The miner's address (the grain's key).</param>
/// <param name="Info">The on-chain info as last mirrored.</param>
/// <param name="NextNonce">The worker nonce the grain will use next unless the chain knows a higher one.</param>
/// <param name="Pending">Messages sent and not yet seen on chain.</param>
/// <param name="Silo">The silo hosting the grain (where the worker key is read).</param>
[GenerateSerializer, Immutable, Alias("granary.MinerSnapshot")]
public sealed record MinerSnapshot(
    [property: Id(0)] string Miner,
    [property: Id(1)] MinerInfoMirror Info,
    [property: Id(2)] ulong NextNonce,
    [property: Id(3)] IReadOnlyList<PendingMinerMessage> Pending,
    [property: Id(4)] string Silo);
