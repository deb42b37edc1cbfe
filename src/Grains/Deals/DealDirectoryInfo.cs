namespace Granary.Grains.Deals;

/// <summary>A miner's deal directory at a glance: how many deals, and what back-pressure holds now.</summary>
/// <param name="Miner">The miner.</param>
/// <param name="Deals">Deals ever accepted.</param>
/// <param name="StagingBytesReserved">Bytes reserved in staging.</param>
/// <param name="Transfers">Deals holding a transfer slot.</param>
/// <param name="Reservations">Deals holding a reservation.</param>
[GenerateSerializer, Immutable, Alias("granary.DealDirectoryInfo")]
public sealed record DealDirectoryInfo(
    [property: Id(0)] string Miner,
    [property: Id(1)] long Deals,
    [property: Id(2)] long StagingBytesReserved,
    [property: Id(3)] int Transfers,
    [property: Id(4)] int Reservations);
