using System.Formats.Cbor;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;

namespace Granary.Gateway.Wire;

/// <summary>
/// Boost's <c>DealStatus</c> (map-encoded; wire key order Error, Status, Proposal, PublishCid, ChainDealID,
/// SealingStatus, SignedProposalCid).
/// </summary>
/// <param name="Error">The failure, empty if none.</param>
/// <param name="Status">The checkpoint name (<c>Accepted</c>, <c>Transferred</c>, …).</param>
/// <param name="SealingStatus">The sector's state name once the piece is in a sector; else empty.</param>
/// <param name="Proposal">The deal proposal.</param>
/// <param name="SignedProposalCid">The CID of the client's signed proposal.</param>
/// <param name="PublishCid">The <c>PublishStorageDeals</c> message, once sent.</param>
/// <param name="ChainDealId">The on-chain deal id, once published (0 before).</param>
public sealed record DealStatus(
    string Error, string Status, string SealingStatus, DealProposal Proposal, Cid SignedProposalCid, Cid? PublishCid, ulong ChainDealId)
{
    internal void Write(CborWriter w)
    {
        w.WriteStartMap(7);
        w.WriteTextString("Error");
        w.WriteTextString(Error);
        w.WriteTextString("Status");
        w.WriteTextString(Status);
        w.WriteTextString("SealingStatus");
        w.WriteTextString(SealingStatus);
        w.WriteTextString("Proposal");
        w.WriteEncodedValue(Proposal.ToCbor());
        w.WriteTextString("SignedProposalCid");
        w.WriteCid(SignedProposalCid);
        w.WriteTextString("PublishCid");
        w.WriteNullableCid(PublishCid);
        w.WriteTextString("ChainDealID");
        w.WriteUInt64(ChainDealId);
        w.WriteEndMap();
    }

    internal static DealStatus Read(CborReader r)
    {
        var map = WireMap.Read(r, "DealStatus");
        return new DealStatus(
            map.Optional("Error", "", x => x.ReadText()),
            map.Optional("Status", "", x => x.ReadText()),
            map.Optional("SealingStatus", "", x => x.ReadText()),
            map.Required("Proposal", x => x.ReadDealProposal()),
            map.Required("SignedProposalCid", x => x.ReadLink()),
            map.Optional("PublishCid", null, x => x.ReadNullableCid()),
            map.Optional("ChainDealID", 0UL, x => x.ReadUInt()));
    }
}
