namespace Granary.Grains.Proving;

/// <summary>A sector as the chain knows it, for checking or proving: its number, CommR and registered seal proof.</summary>
/// <param name="Number">The sector number.</param>
/// <param name="CommR">The 32-byte CommR from its sealed CID.</param>
/// <param name="SealProof">The registered seal proof id (5 for 2 KiB).</param>
[GenerateSerializer, Immutable, Alias("granary.ProvingSector")]
public sealed record ProvingSector(
    [property: Id(0)] ulong Number,
    [property: Id(1)] byte[] CommR,
    [property: Id(2)] long SealProof);
