using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Tests;

/// <summary>
/// A scripted <see cref="IChainNode"/> for the RPC layer's own tests (the protocol, errors, refusals): it records
/// each call's arguments, answers with fixed values, refuses what <see cref="Refuse"/> names with a
/// <see cref="ChainException"/>, and streams the head changes pushed into <see cref="Heads"/>. The round trip
/// against real chain rules is <see cref="ChainRpcDevnetTests"/>.
/// </summary>
internal sealed class ChainRpcFakeNode : IChainNode
{
    public static readonly Address Miner = Address.FromId(1000);
    public static readonly Address Owner = Address.FromId(100);

    public List<(string Method, object?[] Args)> Calls { get; } = [];

    /// <summary>Methods (without the namespace) that throw <c>ChainException("refused: METHOD")</c>.</summary>
    public HashSet<string> Refuse { get; } = [];

    /// <summary>Head changes ChainNotify streams after its first "current" batch.</summary>
    public Channel<IReadOnlyList<HeadChange>> Heads { get; } = Channel.CreateUnbounded<IReadOnlyList<HeadChange>>();

    /// <summary>Completed when a ChainNotify enumeration ends (cancelled or finished).</summary>
    public TaskCompletionSource NotifyEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Released to let a blocked StateWaitMsg return.</summary>
    public TaskCompletionSource WaitRelease { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Cid Block(int n) => DagCbor.CidOf([0x18, (byte)n]);

    public static TipSet TipSetAt(long height) => new(
        new TipSetKey([Block((int)height)]), height, new TipSetKey(height == 0 ? [] : [Block((int)height - 1)]),
        [new BlockHeader(Miner, [1, 2, 3, (byte)height], height, 1_700_000_000UL + ((ulong)height * 4), Block(200), Block(201))]);

    public static MinerInfo Info => new(Owner, Address.FromId(101), [0x00, 0x04, 1, 2, 3, 4], [[4, 127, 0, 0, 1, 6, 0x04, 0xd2]],
        2048, 2, 5, [Address.FromId(102)]);

    public static SignedMessage Signed(Message m) => new(m with { Nonce = 7, GasLimit = 1_000_000 }, new Signature(SignatureType.Secp256k1, new byte[65]));

    public Task<TipSet> ChainHead(CancellationToken cancellationToken = default) => Answer(TipSetAt(10));

    public async IAsyncEnumerable<IReadOnlyList<HeadChange>> ChainNotify([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Record(nameof(ChainNotify));
        try
        {
            yield return [new HeadChange(HeadChangeType.Current, TipSetAt(10))];
            while (await Heads.Reader.WaitToReadAsync(cancellationToken))
            {
                while (Heads.Reader.TryRead(out var changes))
                {
                    yield return changes;
                }
            }
        }
        finally
        {
            NotifyEnded.TrySetResult();
        }
    }

    public Task<TipSet> ChainGetTipSetByHeight(long height, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Answer(TipSetAt(height), [height, tipSet]);

    public Task<MinerInfo> StateMinerInfo(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Answer(Info, [miner, tipSet]);

    public Task<MinerPower> StateMinerPower(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Answer(new MinerPower(new Claim(2048, 2048), new Claim(4096, 40960), true), [miner, tipSet]);

    public Task<DeadlineInfo> StateMinerProvingDeadline(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Answer(DeadlineInfo.Current(ChainPolicy.Devnet, 5, 100), [miner, tipSet]);

    public Task<IReadOnlyList<Deadline>> StateMinerDeadlines(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Answer<IReadOnlyList<Deadline>>([new Deadline(new BitField([0]), 0), new Deadline(BitField.Empty, 1)], [miner, tipSet]);

    public Task<IReadOnlyList<Partition>> StateMinerPartitions(Address miner, ulong deadline, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Answer<IReadOnlyList<Partition>>([new Partition(new BitField([1, 2, 3]), new BitField([2]), BitField.Empty, new BitField([1, 2, 3]), new BitField([1, 3]))], [miner, deadline, tipSet]);

    public Task<BitField> StateMinerFaults(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Answer(new BitField([2, 9]), [miner, tipSet]);

    public Task<SectorPreCommitOnChainInfo?> StateSectorPreCommitInfo(Address miner, ulong sector, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Answer<SectorPreCommitOnChainInfo?>(sector == 0 ? null : new SectorPreCommitOnChainInfo(
            new SectorPreCommitInfo(5, sector, Block(50), 90, [7], 1000, null), TokenAmount.FromFil(1), 95), [miner, sector, tipSet]);

    public Task<SectorOnChainInfo?> StateSectorGetInfo(Address miner, ulong sector, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Answer<SectorOnChainInfo?>(sector == 0 ? null : new SectorOnChainInfo(sector, 5, Block(50), [7], 110, 1000, new TokenAmount(123)), [miner, sector, tipSet]);

    public Task<MarketDeal> StateMarketStorageDeal(ulong dealId, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Answer(new MarketDeal(new DealProposal(Block(60), 2048, false, Address.FromId(103), Miner, DealLabel.FromString("label"), 100, 1000,
            new TokenAmount(10), TokenAmount.Zero, TokenAmount.Zero), new DealState(0, -1, -1, -1)), [dealId, tipSet]);

    public Task<MarketBalance> StateMarketBalance(Address address, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Answer(new MarketBalance(TokenAmount.FromFil(2), TokenAmount.FromFil(1)), [address, tipSet]);

    public Task<Address> StateLookupID(Address address, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Answer(Address.FromId(1234), [address, tipSet]);

    public Task<Address> StateAccountKey(Address address, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Answer(Address.FromSecp256k1PublicKey(Enumerable.Repeat((byte)4, 65).ToArray()), [address, tipSet]);

    public Task<byte[]> StateGetRandomnessFromTickets(DomainSeparationTag tag, long epoch, byte[] entropy, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Answer(Enumerable.Repeat((byte)tag, 32).ToArray(), [tag, epoch, entropy, tipSet]);

    public Task<byte[]> StateGetRandomnessFromBeacon(DomainSeparationTag tag, long epoch, byte[] entropy, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Answer(Enumerable.Repeat((byte)(tag + 100), 32).ToArray(), [tag, epoch, entropy, tipSet]);

    public Task<Cid> MpoolPush(SignedMessage message, CancellationToken cancellationToken = default) => Answer(message.Cid(), [message]);

    public Task<SignedMessage> MpoolPushMessage(Message message, MessageSendSpec? spec, CancellationToken cancellationToken = default) =>
        Answer(Signed(message), [message, spec]);

    public Task<ulong> MpoolGetNonce(Address address, CancellationToken cancellationToken = default) => Answer(42UL, [address]);

    public async Task<MessageLookup> StateWaitMsg(Cid message, ulong confidence, CancellationToken cancellationToken = default)
    {
        var answer = await Answer(new MessageLookup(message, new MessageReceipt(0, [0x80], 1234), new TipSetKey([Block(11)]), 11), [message, confidence]);
        if (confidence == 99)
        {
            await WaitRelease.Task.WaitAsync(cancellationToken);
        }

        return answer;
    }

    public Task<Address> WalletNew(WalletKeyType type, CancellationToken cancellationToken = default) =>
        type == WalletKeyType.Bls ? throw new ChainException("BLS keys are not supported by the devnet") : Answer(Address.FromId(5), [type]);

    public Task<TokenAmount> WalletBalance(Address address, CancellationToken cancellationToken = default) =>
        Answer(TokenAmount.Parse("1.5"), [address]);

    public Task<Signature> WalletSign(Address address, byte[] data, CancellationToken cancellationToken = default) =>
        Answer(new Signature(SignatureType.Secp256k1, data.Concat(new byte[65]).Take(65).ToArray()), [address, data]);

    public Task<bool> WalletVerify(Address address, byte[] data, Signature signature, CancellationToken cancellationToken = default) =>
        Answer(signature.Data.Length == 65, [address, data, signature]);

    private Task<T> Answer<T>(T value, object?[]? args = null, [CallerMemberName] string method = "")
    {
        Record(method, args ?? []);
        return Refuse.Contains(method) ? throw new ChainException($"refused: {method}") : Task.FromResult(value);
    }

    private void Record(string method, params object?[] args)
    {
        lock (Calls)
        {
            Calls.Add((method, args));
        }
    }
}
