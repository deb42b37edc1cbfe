using System.Numerics;

namespace Granary.Grains.Miner;

/// <summary>
/// The miner actor's info (<c>StateMinerInfo</c>) and power (<c>StateMinerPower</c>) as read from the chain at
/// <see cref="Epoch"/>. Addresses are kept as text (Filecoin's <c>f</c>/<c>t</c> form) so the state stays
/// readable across versions.
/// </summary>
/// <param name="Owner">Owner (id address).</param>
/// <param name="OwnerKey">The owner's key address (<c>t1…</c>).</param>
/// <param name="Worker">Worker (id address).</param>
/// <param name="WorkerKey">The worker's key address: it signs the miner's messages.</param>
/// <param name="ControlAddresses">Other addresses allowed to send for the miner.</param>
/// <param name="PeerId">The markets node's libp2p peer id (multihash bytes); null if never set.</param>
/// <param name="Multiaddrs">Binary multiaddrs clients dial.</param>
/// <param name="SectorSize">Bytes per sector.</param>
/// <param name="WindowPoStPartitionSectors">Sectors per WindowPoSt partition.</param>
/// <param name="WindowPoStProofType">Registered WindowPoSt proof id.</param>
/// <param name="RawBytePower">The miner's raw-byte power.</param>
/// <param name="QualityAdjPower">The miner's quality-adjusted power.</param>
/// <param name="NetworkRawBytePower">The network's raw-byte power.</param>
/// <param name="NetworkQualityAdjPower">The network's quality-adjusted power.</param>
/// <param name="Epoch">The head's height when this was read.</param>
/// <param name="ReadAt">When this was read (wall clock).</param>
[GenerateSerializer, Immutable, Alias("granary.MinerInfoMirror")]
public sealed record MinerInfoMirror(
    [property: Id(0)] string Owner,
    [property: Id(1)] string OwnerKey,
    [property: Id(2)] string Worker,
    [property: Id(3)] string WorkerKey,
    [property: Id(4)] IReadOnlyList<string> ControlAddresses,
    [property: Id(5)] byte[]? PeerId,
    [property: Id(6)] IReadOnlyList<byte[]> Multiaddrs,
    [property: Id(7)] ulong SectorSize,
    [property: Id(8)] ulong WindowPoStPartitionSectors,
    [property: Id(9)] long WindowPoStProofType,
    [property: Id(10)] BigInteger RawBytePower,
    [property: Id(11)] BigInteger QualityAdjPower,
    [property: Id(12)] BigInteger NetworkRawBytePower,
    [property: Id(13)] BigInteger NetworkQualityAdjPower,
    [property: Id(14)] long Epoch,
    [property: Id(15)] DateTimeOffset ReadAt);
