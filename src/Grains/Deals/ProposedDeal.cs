namespace Granary.Grains.Deals;

/// <summary>
/// A deal proposal as a gateway received it (Boost's <c>DealParams</c>) plus where it came from. The signed proposal
/// is kept as its exact on-chain CBOR bytes, so a second proposal with the same UUID can be compared byte for byte.
/// </summary>
/// <param name="DealUuid">The client-chosen deal UUID (the deal grain's key).</param>
/// <param name="IsOffline">The data will be imported by the operator (<c>storage-deals import-data</c>) rather than pulled.</param>
/// <param name="ClientDealProposal">The CBOR of the client's signed proposal (the market actor's 2-tuple).</param>
/// <param name="DealDataRoot">The payload's root CID (text).</param>
/// <param name="Transfer">How to fetch the data.</param>
/// <param name="RemoveUnsealedCopy">The client asks that no unsealed copy be kept (mk/1.2.1).</param>
/// <param name="SkipIpniAnnounce">The client asks that the deal not be announced to IPNI (mk/1.2.1).</param>
/// <param name="Provider">The miner the receiving gateway serves; the proposal must name it.</param>
/// <param name="Gateway">The silo that received the proposal.</param>
/// <param name="ClientPeer">The libp2p peer id of the client connection.</param>
/// <param name="Protocol">The protocol id it came on (<c>/fil/storage/mk/1.2.1</c>).</param>
[GenerateSerializer, Immutable, Alias("granary.ProposedDeal")]
public sealed record ProposedDeal(
    [property: Id(0)] Guid DealUuid,
    [property: Id(1)] bool IsOffline,
    [property: Id(2)] byte[] ClientDealProposal,
    [property: Id(3)] string DealDataRoot,
    [property: Id(4)] DealTransferSpec Transfer,
    [property: Id(5)] bool RemoveUnsealedCopy,
    [property: Id(6)] bool SkipIpniAnnounce,
    [property: Id(7)] string Provider,
    [property: Id(8)] string Gateway,
    [property: Id(9)] string ClientPeer,
    [property: Id(10)] string Protocol)
{
    /// <summary>Whether two proposals are the same deal: the same UUID, signed proposal, root, transfer and flags.</summary>
    public bool SameDealAs(ProposedDeal other) =>
        DealUuid == other.DealUuid && IsOffline == other.IsOffline && ClientDealProposal.AsSpan().SequenceEqual(other.ClientDealProposal)
        && DealDataRoot == other.DealDataRoot && Transfer.Equals(other.Transfer) && RemoveUnsealedCopy == other.RemoveUnsealedCopy
        && SkipIpniAnnounce == other.SkipIpniAnnounce;
}
