namespace Granary.Grains.Deals;

/// <summary>What an admitted deal holds until its data is in a sector: staging bytes and, while it transfers, a transfer slot.</summary>
/// <param name="DealUuid">The deal.</param>
/// <param name="StagingBytes">Bytes reserved in staging.</param>
/// <param name="HoldsTransfer">Whether it counts against the concurrent transfers (online deals before <see cref="DealCheckpoint.Transferred"/>).</param>
/// <param name="Since">When it was admitted.</param>
/// <param name="Page">The listing page it is on.</param>
/// <param name="PieceSize">The deal's padded piece size (what it needs of a sector); 0 in reservations written before it was kept.</param>
[GenerateSerializer, Immutable, Alias("granary.DealReservation")]
public sealed record DealReservation(
    [property: Id(0)] Guid DealUuid,
    [property: Id(1)] long StagingBytes,
    [property: Id(2)] bool HoldsTransfer,
    [property: Id(3)] DateTimeOffset Since,
    [property: Id(4)] int Page,
    [property: Id(5)] long PieceSize = 0);
