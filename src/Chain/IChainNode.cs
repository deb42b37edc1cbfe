using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;

namespace Granary.Chain;

/// <summary>
/// The chain as a storage provider sees it: the subset of Lotus's FullNode API an SP calls, with Lotus's method
/// names (<c>Filecoin.&lt;Method&gt;</c> over JSON-RPC). Implemented by the embedded devnet and by a JSON-RPC
/// client for any node that speaks this API. A <c>null</c> tipset key means the current head.
/// </summary>
/// <remarks>
/// Errors: a request the chain refuses (unknown actor, bad signature, wrong nonce, insufficient funds, a failed
/// proof) throws <see cref="ChainException"/> with the chain's reason; transport failures of the RPC client throw
/// <see cref="ChainUnavailableException"/>.
/// </remarks>
public interface IChainNode
{
    /// <summary>The heaviest tipset.</summary>
    Task<TipSet> ChainHead(CancellationToken cancellationToken = default);

    /// <summary>
    /// Head changes: first one batch with the current head (<see cref="HeadChangeType.Current"/>), then
    /// <see cref="HeadChangeType.Apply"/> (and <see cref="HeadChangeType.Revert"/> on a reorg) as they happen.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<HeadChange>> ChainNotify(CancellationToken cancellationToken = default);

    /// <summary>The tipset at <paramref name="height"/> on the chain of <paramref name="tipSet"/>; a null round gives the tipset before it.</summary>
    Task<TipSet> ChainGetTipSetByHeight(long height, TipSetKey? tipSet, CancellationToken cancellationToken = default);

    /// <summary>A miner's owner, worker, peer id, multiaddrs, sector size and partition size.</summary>
    Task<MinerInfo> StateMinerInfo(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default);

    /// <summary>The miner's and the network's power.</summary>
    Task<MinerPower> StateMinerPower(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default);

    /// <summary>The miner's current proving deadline (Filecoin's deadline arithmetic).</summary>
    Task<DeadlineInfo> StateMinerProvingDeadline(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default);

    /// <summary>All 48 deadlines of the miner's proving period.</summary>
    Task<IReadOnlyList<Deadline>> StateMinerDeadlines(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default);

    /// <summary>The partitions of one deadline.</summary>
    Task<IReadOnlyList<Partition>> StateMinerPartitions(Address miner, ulong deadline, TipSetKey? tipSet, CancellationToken cancellationToken = default);

    /// <summary>Every sector the miner has declared or been found faulty.</summary>
    Task<BitField> StateMinerFaults(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default);

    /// <summary>A pre-committed sector not yet proven; null when there is none.</summary>
    Task<SectorPreCommitOnChainInfo?> StateSectorPreCommitInfo(Address miner, ulong sector, TipSetKey? tipSet, CancellationToken cancellationToken = default);

    /// <summary>A proven sector; null when there is none.</summary>
    Task<SectorOnChainInfo?> StateSectorGetInfo(Address miner, ulong sector, TipSetKey? tipSet, CancellationToken cancellationToken = default);

    /// <summary>A published deal and its state.</summary>
    Task<MarketDeal> StateMarketStorageDeal(ulong dealId, TipSetKey? tipSet, CancellationToken cancellationToken = default);

    /// <summary>An address's escrow and locked funds in the storage market.</summary>
    Task<MarketBalance> StateMarketBalance(Address address, TipSetKey? tipSet, CancellationToken cancellationToken = default);

    /// <summary>The id address (<c>f0…</c>) of an actor.</summary>
    Task<Address> StateLookupID(Address address, TipSetKey? tipSet, CancellationToken cancellationToken = default);

    /// <summary>The key address (<c>f1…</c>/<c>f3…</c>) behind an account actor's id.</summary>
    Task<Address> StateAccountKey(Address address, TipSetKey? tipSet, CancellationToken cancellationToken = default);

    /// <summary>Ticket randomness for <paramref name="epoch"/>, drawn with Filecoin's domain separation.</summary>
    Task<byte[]> StateGetRandomnessFromTickets(DomainSeparationTag tag, long epoch, byte[] entropy, TipSetKey? tipSet, CancellationToken cancellationToken = default);

    /// <summary>Beacon randomness for <paramref name="epoch"/>, drawn with Filecoin's domain separation.</summary>
    Task<byte[]> StateGetRandomnessFromBeacon(DomainSeparationTag tag, long epoch, byte[] entropy, TipSetKey? tipSet, CancellationToken cancellationToken = default);

    /// <summary>Submits a message signed by the caller (the SP signs with its own worker key).</summary>
    Task<Cid> MpoolPush(SignedMessage message, CancellationToken cancellationToken = default);

    /// <summary>Has the node fill in nonce and gas, sign with a key in its wallet, and submit.</summary>
    Task<SignedMessage> MpoolPushMessage(Message message, MessageSendSpec? spec, CancellationToken cancellationToken = default);

    /// <summary>The next nonce for <paramref name="address"/>, counting messages still in the pool.</summary>
    Task<ulong> MpoolGetNonce(Address address, CancellationToken cancellationToken = default);

    /// <summary>Waits until the message is on chain with <paramref name="confidence"/> epochs on top; its receipt.</summary>
    Task<MessageLookup> StateWaitMsg(Cid message, ulong confidence, CancellationToken cancellationToken = default);

    /// <summary>Makes a new key in the node's wallet.</summary>
    Task<Address> WalletNew(WalletKeyType type, CancellationToken cancellationToken = default);

    /// <summary>The balance of an address (zero for an address the chain has never seen).</summary>
    Task<TokenAmount> WalletBalance(Address address, CancellationToken cancellationToken = default);

    /// <summary>Signs bytes with a key in the node's wallet.</summary>
    Task<Signature> WalletSign(Address address, byte[] data, CancellationToken cancellationToken = default);

    /// <summary>Checks a signature by <paramref name="address"/> over <paramref name="data"/>.</summary>
    Task<bool> WalletVerify(Address address, byte[] data, Signature signature, CancellationToken cancellationToken = default);
}
