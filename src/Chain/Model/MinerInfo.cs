using Granary.Filecoin.Addresses;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Model;

/// <summary>A miner actor's info, as <c>StateMinerInfo</c> returns it.</summary>
/// <param name="Owner">Owner (id address).</param>
/// <param name="Worker">Worker (id address): signs the miner's messages.</param>
/// <param name="PeerId">The libp2p peer id of the markets node, as bytes (the multihash); null if never set.</param>
/// <param name="Multiaddrs">Binary multiaddrs clients dial.</param>
/// <param name="SectorSize">Bytes per sector.</param>
/// <param name="WindowPoStPartitionSectors">Sectors per WindowPoSt partition.</param>
/// <param name="WindowPoStProofType">Registered WindowPoSt proof id.</param>
/// <param name="ControlAddresses">Other addresses allowed to send on the miner's behalf.</param>
public sealed record MinerInfo(
    Address Owner, Address Worker, byte[]? PeerId, IReadOnlyList<byte[]> Multiaddrs, ulong SectorSize,
    ulong WindowPoStPartitionSectors, long WindowPoStProofType, IReadOnlyList<Address> ControlAddresses);

/// <summary>Raw-byte and quality-adjusted power.</summary>
public sealed record Claim(System.Numerics.BigInteger RawBytePower, System.Numerics.BigInteger QualityAdjPower);

/// <summary><c>StateMinerPower</c>: the miner's claim, the network total, and whether it meets the minimum to win blocks.</summary>
/// <param name="Miner">The miner's claim (Lotus JSON key <c>MinerPower</c>).</param>
/// <param name="Total">The network's total (Lotus JSON key <c>TotalPower</c>).</param>
/// <param name="HasMinPower">Whether the miner may win blocks.</param>
public sealed record MinerPower(
    [property: System.Text.Json.Serialization.JsonPropertyName("MinerPower")] Claim Miner,
    [property: System.Text.Json.Serialization.JsonPropertyName("TotalPower")] Claim Total,
    bool HasMinPower);

/// <summary><c>StateMarketBalance</c>: funds in the storage market's escrow and the part locked by deals.</summary>
public sealed record MarketBalance(TokenAmount Escrow, TokenAmount Locked);
