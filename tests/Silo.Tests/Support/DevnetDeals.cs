using Granary.Chain.Devnet.Actors;
using Granary.Chain.Rpc;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;
using Granary.Gateway.Wire;
using Granary.Libp2p.Host;
using Granary.Libp2p.Multiaddrs;

namespace Granary.Silo.Tests.Support;

/// <summary>
/// A storage client's steps on a devnet process, as the CLI tests take them: push a message and wait for its receipt,
/// sign an online deal proposal for a 2 KiB piece, and propose it over libp2p to a gateway.
/// </summary>
public static class DevnetDeals
{
    /// <summary>Pushes <paramref name="message"/> through the node's mpool and waits (60 s) for a successful receipt.</summary>
    public static async Task SendAsync(ChainRpcClient chain, Message message)
    {
        var signed = await chain.MpoolPushMessage(message, null);
        var lookup = await chain.StateWaitMsg(signed.Cid(), 0).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, lookup.Receipt.ExitCode);
    }

    /// <summary>
    /// An online deal for the piece of <paramref name="piece"/> at <paramref name="price"/> attoFIL/epoch, starting
    /// <paramref name="startIn"/> epochs after the current head, signed with <paramref name="clientKey"/>.
    /// </summary>
    public static async Task<DealParams> ProposalAsync(ChainRpcClient chain, byte[] clientKey, string miner, long price, ReadOnlyMemory<byte> piece, long startIn)
    {
        var head = (await chain.ChainHead()).Height;
        var uuid = Guid.NewGuid();
        var proposal = new DealProposal(PieceCid.V1(CommP.Compute(piece.Span).Commitment), 2048, false, Secp256k1.AddressOf(clientKey),
            Address.Parse(miner), DealLabel.FromString($"deal {uuid}"), head + startIn, head + startIn + Grains.Deals.DealmakingOptions.FilecoinMinDealDuration,
            new TokenAmount(price), TokenAmount.Zero, TokenAmount.Zero);
        return new DealParams(uuid, true, ClientDealProposal.SignSecp256k1(proposal, clientKey), DagCbor.CidOf("root"u8), DealTransfer.None, false, false);
    }

    /// <summary>Proposes <paramref name="deal"/> to <paramref name="gateway"/> (deal protocol 1.2.1 or 1.2.0) and reads its answer.</summary>
    public static async Task<DealResponse> ProposeAsync(Libp2pHost host, Multiaddr gateway, DealParams deal)
    {
        await using var stream = await host.NewStreamAsync(gateway, [MarketsProtocolIds.DealV121, MarketsProtocolIds.DealV120]).WaitAsync(TimeSpan.FromSeconds(30));
        await stream.WriteAsync(deal.ToCbor());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return DealResponse.FromCbor(await CborItemReader.ReadAsync(stream, DealResponse.MaxMessageBytes, deadline.Token));
    }
}
