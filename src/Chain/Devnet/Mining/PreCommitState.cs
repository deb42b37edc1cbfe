using System.Text.Json.Serialization;
using Granary.Chain.Model;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet.Mining;

/// <summary>A pre-committed sector waiting for its proof, as persisted.</summary>
public sealed class PreCommitState
{
    /// <summary>The sector's number.</summary>
    public ulong SectorNumber { get; set; }

    /// <summary>Registered seal proof id.</summary>
    public long SealProof { get; set; }

    /// <summary>CommR as a CID.</summary>
    [JsonConverter(typeof(CidJsonConverter))]
    public Cid SealedCid { get; set; } = SectorCommitments.SealedCid(new byte[32]);

    /// <summary>CommD as a CID; null for a committed-capacity sector (CommD of zeros).</summary>
    [JsonConverter(typeof(CidJsonConverter))]
    public Cid? UnsealedCid { get; set; }

    /// <summary>The epoch the seal ticket was drawn from.</summary>
    public long SealRandEpoch { get; set; }

    /// <summary>Deals packed into the sector.</summary>
    public List<ulong> DealIds { get; set; } = [];

    /// <summary>Epoch the sector is to expire.</summary>
    public long Expiration { get; set; }

    /// <summary>The deposit locked for it, burnt if it is never proven.</summary>
    [JsonConverter(typeof(TokenAmountJsonConverter))]
    public TokenAmount Deposit { get; set; }

    /// <summary>The epoch the pre-commit landed.</summary>
    public long PreCommitEpoch { get; set; }

    /// <summary>As <c>StateSectorPreCommitInfo</c> returns it.</summary>
    public SectorPreCommitOnChainInfo ToModel() =>
        new(new SectorPreCommitInfo(SealProof, SectorNumber, SealedCid, SealRandEpoch, [.. DealIds], Expiration, UnsealedCid), Deposit, PreCommitEpoch);
}
