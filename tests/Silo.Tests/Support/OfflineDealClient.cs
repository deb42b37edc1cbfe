using System.Security.Cryptography;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Rpc;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Car;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;
using Granary.Gateway.Wire;
using Granary.Libp2p.Host;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;

namespace Granary.Silo.Tests.Support;

/// <summary>
/// A storage client on a devnet process: funded and with market escrow from the devnet's faucet, it proposes offline
/// deals of small CAR files over libp2p to a gateway (the deal protocol as Boost clients speak it).
/// </summary>
public sealed class OfflineDealClient : IAsyncDisposable
{
    private readonly ChainRpcClient _chain;
    private readonly byte[] _key;
    private readonly Libp2pHost _host = new(Identity.Generate());

    private OfflineDealClient(ChainRpcClient chain, byte[] key)
    {
        _chain = chain;
        _key = key;
    }

    /// <summary>The client's address.</summary>
    public Address Address => Secp256k1.AddressOf(_key);

    /// <summary>A client funded with 1 FIL and 1 FIL of market escrow.</summary>
    public static async Task<OfflineDealClient> CreateAsync(DevnetProcess devnet, string seed)
    {
        var chain = ChainRpcClient.FromApiInfo(devnet.ApiInfo);
        var key = Blake2b.Hash256(System.Text.Encoding.UTF8.GetBytes(seed));
        var client = Secp256k1.AddressOf(key);
        var faucet = Address.Parse(devnet.Faucet);
        await SendAsync(chain, new Message(0, client, faucet, 0, TokenAmount.FromFil(1), 0, TokenAmount.Zero, TokenAmount.Zero, ActorMethods.Send, []));
        await SendAsync(chain, new Message(0, Address.FromId(Granary.Chain.Devnet.SystemActors.Market), faucet, 0, TokenAmount.FromFil(1), 0, TokenAmount.Zero,
            TokenAmount.Zero, ActorMethods.Market.AddBalance, MarketAddBalanceParams.ToCbor(client)));
        return new OfflineDealClient(chain, key);
    }

    /// <summary>Writes a CAR of <paramref name="blocks"/> raw blocks to <paramref name="path"/>; returns its 2 KiB piece CID.</summary>
    public static async Task<Cid> WriteCarAsync(string path, int blocks, int seed)
    {
        var data = Enumerable.Range(0, blocks).Select(i => SHA256.HashData(BitConverter.GetBytes(seed * 1000 + i)).Concat(new byte[100]).ToArray()).ToArray();
        var cids = data.Select(d => new Cid(1, Cid.Raw, new Multihash(Multihash.Sha2_256, SHA256.HashData(d)))).ToArray();
        await using (var output = File.Create(path))
        {
            var car = new CarWriter(output);
            await car.WriteHeaderAsync([cids[0]]);
            for (var i = 0; i < blocks; i++)
            {
                await car.WriteBlockAsync(cids[i], data[i]);
            }
        }

        var commP = CommP.Compute(await File.ReadAllBytesAsync(path));
        return PieceCid.V1(CommP.ZeroPad(commP.Commitment, commP.PaddedSize, 2048));
    }

    /// <summary>Proposes an offline 2 KiB deal of <paramref name="piece"/> to <paramref name="gateway"/>.</summary>
    public async Task<(DealParams Deal, DealResponse Response)> ProposeAsync(Multiaddr gateway, string miner, Cid piece, long price = 1000)
    {
        var head = (await _chain.ChainHead()).Height;
        var uuid = Guid.NewGuid();
        var proposal = new DealProposal(piece, 2048, false, Address, Address.Parse(miner), DealLabel.FromString($"deal {uuid}"), head + 200,
            head + 200 + Grains.Deals.DealmakingOptions.FilecoinMinDealDuration, new TokenAmount(price), TokenAmount.Zero, TokenAmount.Zero);
        var deal = new DealParams(uuid, true, ClientDealProposal.SignSecp256k1(proposal, _key), DagCbor.CidOf("root"u8), DealTransfer.None, false, false);
        await using var stream = await _host.NewStreamAsync(gateway, [MarketsProtocolIds.DealV121, MarketsProtocolIds.DealV120]).WaitAsync(TimeSpan.FromSeconds(30));
        await stream.WriteAsync(deal.ToCbor());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return (deal, DealResponse.FromCbor(await CborItemReader.ReadAsync(stream, DealResponse.MaxMessageBytes, deadline.Token)));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _chain.Dispose();
    }

    private static async Task SendAsync(ChainRpcClient chain, Message message)
    {
        var signed = await chain.MpoolPushMessage(message, null);
        var lookup = await chain.StateWaitMsg(signed.Cid(), 0).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, lookup.Receipt.ExitCode);
    }
}
