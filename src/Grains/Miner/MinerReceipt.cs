namespace Granary.Grains.Miner;

/// <summary>A miner message that landed on chain: what was sent and its receipt.</summary>
/// <param name="Message">The signed message's CID.</param>
/// <param name="Method">The miner method.</param>
/// <param name="Nonce">The worker nonce it used.</param>
/// <param name="ExitCode">0 on success.</param>
/// <param name="Return">The method's CBOR return value.</param>
/// <param name="GasUsed">Gas charged.</param>
/// <param name="Height">The epoch whose tipset included it.</param>
[GenerateSerializer, Immutable, Alias("granary.MinerReceipt")]
public sealed record MinerReceipt(
    [property: Id(0)] string Message,
    [property: Id(1)] ulong Method,
    [property: Id(2)] ulong Nonce,
    [property: Id(3)] long ExitCode,
    [property: Id(4)] byte[] Return,
    [property: Id(5)] long GasUsed,
    [property: Id(6)] long Height);
