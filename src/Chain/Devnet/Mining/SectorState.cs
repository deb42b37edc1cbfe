using System.Text.Json.Serialization;
using Granary.Chain.Model;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet.Mining;

/// <summary>A proven sector, as persisted, with where it is proven.</summary>
public sealed class SectorState
{
    /// <summary>The sector's number.</summary>
    public ulong SectorNumber { get; set; }

    /// <summary>Registered seal proof id.</summary>
    public long SealProof { get; set; }

    /// <summary>CommR as a CID.</summary>
    [JsonConverter(typeof(CidJsonConverter))]
    public Cid SealedCid { get; set; } = SectorCommitments.SealedCid(new byte[32]);

    /// <summary>CommD as a CID; null for a committed-capacity sector.</summary>
    [JsonConverter(typeof(CidJsonConverter))]
    public Cid? UnsealedCid { get; set; }

    /// <summary>Deals stored in the sector.</summary>
    public List<ulong> DealIds { get; set; } = [];

    /// <summary>Epoch it was proven.</summary>
    public long Activation { get; set; }

    /// <summary>Epoch it expires (it leaves at the close of its deadline's first window at or after this).</summary>
    public long Expiration { get; set; }

    /// <summary>Pledge locked for it.</summary>
    [JsonConverter(typeof(TokenAmountJsonConverter))]
    public TokenAmount InitialPledge { get; set; }

    /// <summary>Its deadline (0–47).</summary>
    public ulong Deadline { get; set; }

    /// <summary>Its partition within the deadline.</summary>
    public ulong Partition { get; set; }

    /// <summary>As <c>StateSectorGetInfo</c> returns it.</summary>
    public SectorOnChainInfo ToModel() => new(SectorNumber, SealProof, SealedCid, [.. DealIds], Activation, Expiration, InitialPledge);
}
