using Granary.Chain.Model;
using Granary.Filecoin.Cids;

namespace Granary.Chain.Devnet.Storage;

/// <summary>An actor as one row: id, robust address bytes, code, balance bytes, nonce, state JSON.</summary>
internal sealed record ActorRow(ulong Id, byte[]? Robust, ActorCode Code, byte[] Balance, ulong Nonce, string? State);

/// <summary>A deal as one row: id, the proposal's CBOR (id addresses), its parties and state.</summary>
internal sealed record DealRow(ulong Id, byte[] Proposal, ulong Client, ulong Provider, DealState State);

/// <summary>A message in a block with its receipt.</summary>
internal sealed record StoredMessage(Cid SignedCid, Cid MessageCid, byte[] Signed, MessageReceipt Receipt);

/// <summary>Everything one block writes, in one transaction.</summary>
internal sealed record BlockCommit(
    long Height, Cid BlockCid, byte[] Header, Cid StateRoot, IReadOnlyList<StoredMessage> Messages,
    IReadOnlyList<ActorRow> Actors, IReadOnlyList<ulong> RemovedActors, IReadOnlyList<DealRow> Deals, IReadOnlyList<ulong> RemovedDeals,
    long PendingThroughSeq);

/// <summary>A pending message as stored: its sequence number in the pool and bytes.</summary>
internal sealed record PendingRow(long Seq, byte[] Signed);

/// <summary>A block as stored.</summary>
internal sealed record BlockRow(long Height, byte[] Header, Cid StateRoot);
