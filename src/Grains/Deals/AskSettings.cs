using System.Numerics;

namespace Granary.Grains.Deals;

/// <summary>What <c>storage-deals set-ask</c> sets (lotus's <c>MarketSetAsk</c> arguments).</summary>
/// <param name="Price">attoFIL per GiB per epoch.</param>
/// <param name="VerifiedPrice">attoFIL per GiB per epoch for verified deals.</param>
/// <param name="Duration">Epochs the ask is valid for from now.</param>
/// <param name="MinPieceSize">Smallest padded piece.</param>
/// <param name="MaxPieceSize">Largest padded piece.</param>
[GenerateSerializer, Immutable, Alias("granary.AskSettings")]
public sealed record AskSettings(
    [property: Id(0)] BigInteger Price,
    [property: Id(1)] BigInteger VerifiedPrice,
    [property: Id(2)] long Duration,
    [property: Id(3)] long MinPieceSize,
    [property: Id(4)] long MaxPieceSize)
{
    /// <summary>Boost's defaults: 50,000,000 and 5,000,000 attoFIL/GiB/epoch, 1,000,000 epochs, pieces of 256 B to 32 GiB.</summary>
    public static AskSettings Default { get; } = new(50_000_000, 5_000_000, 1_000_000, 256, 32L << 30);
}
