using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;

namespace Granary.Chain.Rpc;

/// <summary>
/// The FullNode methods served, with Lotus's names (<c>Filecoin.&lt;Method&gt;</c>), positional params and
/// permissions (Lotus's <c>//perm:</c> tags: read, write, sign, admin). A trailing tipset key may be omitted
/// (the head); <c>StateWaitMsg</c> takes v0's two params or v1's four (lookback limit and allowReplaced are accepted
/// and not used: the devnet searches the whole chain and never replaces messages).
/// </summary>
internal static class ChainRpcMethods
{
    /// <summary>The method that opens a head-change channel (websocket only).</summary>
    public const string ChainNotify = "Filecoin.ChainNotify";

    /// <summary>Every method by its full name.</summary>
    public static IReadOnlyDictionary<string, ChainRpcMethod> All { get; } = Build().ToDictionary(m => m.Name, StringComparer.Ordinal);

    private static IEnumerable<ChainRpcMethod> Build()
    {
        yield return Method("ChainHead", "read", 0, 0, (n, p, ct) => n.ChainHead(ct));
        yield return new ChainRpcMethod(ChainNotify, "read", 0, 0, null);
        yield return Method("ChainGetTipSetByHeight", "read", 1, 2,
            (n, p, ct) => n.ChainGetTipSetByHeight(p.Required<long>(0, "height"), p.TipSet(1), ct));
        yield return Method("StateMinerInfo", "read", 1, 2, (n, p, ct) => n.StateMinerInfo(Miner(p), p.TipSet(1), ct));
        yield return Method("StateMinerPower", "read", 1, 2, (n, p, ct) => n.StateMinerPower(Miner(p), p.TipSet(1), ct));
        yield return Method("StateMinerProvingDeadline", "read", 1, 2, (n, p, ct) => n.StateMinerProvingDeadline(Miner(p), p.TipSet(1), ct));
        yield return Method("StateMinerDeadlines", "read", 1, 2, (n, p, ct) => n.StateMinerDeadlines(Miner(p), p.TipSet(1), ct));
        yield return Method("StateMinerPartitions", "read", 2, 3,
            (n, p, ct) => n.StateMinerPartitions(Miner(p), p.Required<ulong>(1, "deadline index"), p.TipSet(2), ct));
        yield return Method("StateMinerFaults", "read", 1, 2, (n, p, ct) => n.StateMinerFaults(Miner(p), p.TipSet(1), ct));
        yield return Method("StateSectorPreCommitInfo", "read", 2, 3,
            (n, p, ct) => n.StateSectorPreCommitInfo(Miner(p), p.Required<ulong>(1, "sector number"), p.TipSet(2), ct));
        yield return Method("StateSectorGetInfo", "read", 2, 3,
            (n, p, ct) => n.StateSectorGetInfo(Miner(p), p.Required<ulong>(1, "sector number"), p.TipSet(2), ct));
        yield return Method("StateMarketStorageDeal", "read", 1, 2,
            (n, p, ct) => n.StateMarketStorageDeal(p.Required<ulong>(0, "deal id"), p.TipSet(1), ct));
        yield return Method("StateMarketBalance", "read", 1, 2,
            (n, p, ct) => n.StateMarketBalance(p.Required<Address>(0, "address"), p.TipSet(1), ct));
        yield return Method("StateLookupID", "read", 1, 2,
            (n, p, ct) => n.StateLookupID(p.Required<Address>(0, "address"), p.TipSet(1), ct));
        yield return Method("StateAccountKey", "read", 1, 2,
            (n, p, ct) => n.StateAccountKey(p.Required<Address>(0, "address"), p.TipSet(1), ct));
        yield return Method("StateGetRandomnessFromTickets", "read", 3, 4,
            (n, p, ct) => n.StateGetRandomnessFromTickets(p.Required<DomainSeparationTag>(0, "domain separation tag"),
                p.Required<long>(1, "epoch"), p.Optional<byte[]>(2, "entropy") ?? [], p.TipSet(3), ct));
        yield return Method("StateGetRandomnessFromBeacon", "read", 3, 4,
            (n, p, ct) => n.StateGetRandomnessFromBeacon(p.Required<DomainSeparationTag>(0, "domain separation tag"),
                p.Required<long>(1, "epoch"), p.Optional<byte[]>(2, "entropy") ?? [], p.TipSet(3), ct));
        yield return Method("MpoolPush", "write", 1, 1, (n, p, ct) => n.MpoolPush(p.Required<SignedMessage>(0, "signed message"), ct));
        yield return Method("MpoolPushMessage", "sign", 1, 2,
            (n, p, ct) => n.MpoolPushMessage(p.Required<Message>(0, "message"), p.Optional<MessageSendSpec>(1, "send spec"), ct));
        yield return Method("MpoolGetNonce", "read", 1, 1, (n, p, ct) => n.MpoolGetNonce(p.Required<Address>(0, "address"), ct));
        yield return Method("StateWaitMsg", "read", 2, 4,
            (n, p, ct) => n.StateWaitMsg(p.Required<Cid>(0, "message CID"), p.Required<ulong>(1, "confidence"), ct));
        yield return Method("WalletNew", "write", 1, 1, (n, p, ct) => n.WalletNew(p.Required<WalletKeyType>(0, "key type"), ct));
        yield return Method("WalletBalance", "read", 1, 1, (n, p, ct) => n.WalletBalance(p.Required<Address>(0, "address"), ct));
        yield return Method("WalletSign", "sign", 2, 2,
            (n, p, ct) => n.WalletSign(p.Required<Address>(0, "address"), p.Optional<byte[]>(1, "data") ?? [], ct));
        yield return Method("WalletVerify", "read", 3, 3,
            (n, p, ct) => n.WalletVerify(p.Required<Address>(0, "address"), p.Optional<byte[]>(1, "data") ?? [],
                p.Required<Signature>(2, "signature"), ct));
    }

    private static Address Miner(RpcParams p) => p.Required<Address>(0, "miner");

    private static ChainRpcMethod Method<T>(string name, string permission, int minParams, int maxParams,
        Func<IChainNode, RpcParams, CancellationToken, Task<T>> call) =>
        new("Filecoin." + name, permission, minParams, maxParams,
            async (node, p, ct) => new RpcResult(await call(node, p, ct).ConfigureAwait(false), typeof(T)));
}

/// <summary>One served method: its name, permission, param count and how to call it (null for a channel method).</summary>
internal sealed record ChainRpcMethod(
    string Name, string Permission, int MinParams, int MaxParams, Func<IChainNode, RpcParams, CancellationToken, Task<RpcResult>>? Invoke);

/// <summary>A method's result and its declared type (what it is written as).</summary>
internal readonly record struct RpcResult(object? Value, Type Type);
