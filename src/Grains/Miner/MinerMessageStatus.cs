namespace Granary.Grains.Miner;

/// <summary>Where a pushed miner message stands.</summary>
/// <param name="Message">The message CID.</param>
/// <param name="Fate">Pending, landed or dropped.</param>
/// <param name="Receipt">The receipt once it <see cref="MinerMessageFate.Landed"/> (whatever its exit code); else null.</param>
[GenerateSerializer, Immutable, Alias("granary.MinerMessageStatus")]
public sealed record MinerMessageStatus(
    [property: Id(0)] string Message,
    [property: Id(1)] MinerMessageFate Fate,
    [property: Id(2)] MinerReceipt? Receipt);
