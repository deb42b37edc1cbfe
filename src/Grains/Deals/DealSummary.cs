using System.Numerics;

namespace Granary.Grains.Deals;

/// <summary>A deal as listed (<c>storage-deals list</c>): Boost's columns and what back-pressure accounts.</summary>
/// <param name="DealUuid">The deal UUID.</param>
/// <param name="CreatedAt">When it was accepted.</param>
/// <param name="Client">The client address.</param>
/// <param name="Provider">The provider (miner) address.</param>
/// <param name="PieceCid">The piece CID (text).</param>
/// <param name="PieceSize">The padded piece size.</param>
/// <param name="PricePerEpoch">Storage price per epoch in attoFIL.</param>
/// <param name="StartEpoch">The deal's start epoch.</param>
/// <param name="EndEpoch">The deal's end epoch.</param>
/// <param name="Checkpoint">Where it is.</param>
/// <param name="Error">Why it failed; empty if it has not.</param>
/// <param name="IsOffline">Whether the data is imported by the operator.</param>
/// <param name="TransferSize">Bytes to transfer (or import).</param>
/// <param name="ChainDealId">The on-chain deal id; 0 before publishing.</param>
/// <param name="Gateway">The silo that took the proposal.</param>
/// <param name="SealingStatus">The state of the sector holding the piece, once it reports one; else empty.</param>
[GenerateSerializer, Immutable, Alias("granary.DealSummary")]
public sealed record DealSummary(
    [property: Id(0)] Guid DealUuid,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] string Client,
    [property: Id(3)] string Provider,
    [property: Id(4)] string PieceCid,
    [property: Id(5)] long PieceSize,
    [property: Id(6)] BigInteger PricePerEpoch,
    [property: Id(7)] long StartEpoch,
    [property: Id(8)] long EndEpoch,
    [property: Id(9)] DealCheckpoint Checkpoint,
    [property: Id(10)] string Error,
    [property: Id(11)] bool IsOffline,
    [property: Id(12)] ulong TransferSize,
    [property: Id(13)] ulong ChainDealId,
    [property: Id(14)] string Gateway,
    [property: Id(15)] string SealingStatus = "")
{
    /// <summary>Epochs the deal lasts.</summary>
    public long Duration => EndEpoch - StartEpoch;

    /// <summary>Whether it failed (terminal with an error).</summary>
    public bool Failed => Checkpoint == DealCheckpoint.Complete && Error.Length > 0;
}
