using System.Text.Json.Serialization;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;

namespace Granary.Chain.Devnet.Mining;

/// <summary>
/// The miner's info as persisted: who controls it (as actor ids: the addresses are always id addresses), how
/// clients reach it, what it seals, when it proves.
/// </summary>
public sealed class MinerInfoState
{
    /// <summary>Owner's actor id.</summary>
    public ulong OwnerId { get; set; }

    /// <summary>Worker's actor id: it signs the miner's messages.</summary>
    public ulong WorkerId { get; set; }

    /// <summary>Actor ids of the other addresses allowed to send on the miner's behalf.</summary>
    public List<ulong> ControlIds { get; set; } = [];

    /// <summary>Owner (id address).</summary>
    [JsonIgnore]
    public Address Owner => Address.FromId(OwnerId);

    /// <summary>Worker (id address).</summary>
    [JsonIgnore]
    public Address Worker => Address.FromId(WorkerId);

    /// <summary>Control addresses (id addresses).</summary>
    [JsonIgnore]
    public IReadOnlyList<Address> ControlAddresses => [.. ControlIds.Select(Address.FromId)];

    /// <summary>The markets node's libp2p peer id (multihash bytes); null until set.</summary>
    public byte[]? PeerId { get; set; }

    /// <summary>Binary multiaddrs clients dial.</summary>
    public List<byte[]> Multiaddrs { get; set; } = [];

    /// <summary>Registered seal proof id every sector of this miner uses.</summary>
    public long SealProofType { get; set; }

    /// <summary>Bytes per sector.</summary>
    public ulong SectorSize { get; set; }

    /// <summary>Sectors per WindowPoSt partition.</summary>
    public ulong WindowPoStPartitionSectors { get; set; }

    /// <summary>Registered WindowPoSt proof id.</summary>
    public long WindowPoStProofType { get; set; }

    /// <summary>Where in the proving period this miner's deadline 0 opens (0 ≤ offset &lt; WPoStProvingPeriod).</summary>
    public long ProvingPeriodOffset { get; set; }

    /// <summary>The info as <c>StateMinerInfo</c> returns it.</summary>
    public MinerInfo ToModel() => new(Owner, Worker, PeerId is null ? null : [.. PeerId], [.. Multiaddrs.Select(m => m.ToArray())],
        SectorSize, WindowPoStPartitionSectors, WindowPoStProofType, [.. ControlAddresses]);
}
