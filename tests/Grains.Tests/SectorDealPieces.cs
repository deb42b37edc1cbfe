using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;
using Granary.Grains.Miner;
using Granary.Grains.Sectors;

namespace Granary.Grains.Tests;

/// <summary>
/// What the deal-sector tests share on a <see cref="SectorCluster"/>: random pieces staged as files, 1 KiB-piece deals
/// published for them on the cluster's devnet (the owner is the client; it funds its escrow and the miner's), and the
/// planner's request for each.
/// </summary>
/// <param name="sectors">The cluster the deals are published on.</param>
/// <param name="staging">The folder the pieces are staged in.</param>
/// <param name="label">The deals' label.</param>
internal sealed class SectorDealPieces(SectorCluster sectors, string staging, string label)
{
    public static readonly byte[] OwnerKey = Key("owner");
    public static readonly byte[] WorkerKey = Key("worker");

    /// <summary>The planner's request to place <paramref name="piece"/> for chain deal <paramref name="deal"/>, read from Silo_0's staging.</summary>
    public static DealPieceRequest Request(ulong deal, StagedPiece piece, long start, long end) =>
        new(Guid.NewGuid(), deal, PieceCid.V1(piece.CommP).ToString(), 1024, new DealPieceSource("Silo_0", piece.Path, piece.Bytes.Length), start, end);

    /// <summary>Writes <paramref name="length"/> random bytes (from <paramref name="seed"/>) to a staging file; its CommP padded to 1 KiB.</summary>
    public async Task<StagedPiece> StageAsync(int length, byte seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        var path = Path.Combine(staging, $"piece-{seed}.car");
        await File.WriteAllBytesAsync(path, bytes);
        var commP = CommP.Compute(bytes);
        return new StagedPiece(bytes, path, CommP.ZeroPad(commP.Commitment, commP.PaddedSize, 1024));
    }

    /// <summary>Publishes one deal per piece, starting far beyond the sealing buffer (a sector seals because it is full).</summary>
    public async Task<(ulong[] Deals, long Start, long End)> PublishAsync(params StagedPiece[] pieces)
    {
        var owner = Secp256k1.AddressOf(OwnerKey);
        var market = Address.FromId(SystemActors.Market);
        await SendAsync(OwnerKey, market, TokenAmount.FromFil(10), ActorMethods.Market.AddBalance, MarketAddBalanceParams.ToCbor(owner));
        await SendAsync(OwnerKey, market, TokenAmount.FromFil(10), ActorMethods.Market.AddBalance, MarketAddBalanceParams.ToCbor(sectors.Miner));
        var head = (await sectors.Devnet.ChainHead()).Height;
        var start = head + 20_000;
        var end = start + 2_000;
        var proposals = pieces.Select(p => ClientDealProposal.SignSecp256k1(new DealProposal(PieceCid.V1(p.CommP), 1024, false, owner, sectors.Miner,
            DealLabel.FromString(label), start, end, new TokenAmount(1_000), new TokenAmount(1_000), TokenAmount.Zero), OwnerKey)).ToList();
        var receipt = await SendAsync(WorkerKey, market, TokenAmount.Zero, ActorMethods.Market.PublishStorageDeals, new PublishStorageDealsParams(proposals).ToCbor());
        var ids = PublishStorageDealsReturn.FromCbor(receipt.Return).Ids.ToArray();
        Assert.Equal(pieces.Length, ids.Length);
        return (ids, start, end);
    }

    private async Task<Granary.Chain.Model.MessageReceipt> SendAsync(byte[] key, Address to, TokenAmount value, ulong method, byte[] parameters)
    {
        var from = Secp256k1.AddressOf(key);
        var nonce = await sectors.Devnet.MpoolGetNonce(from);
        var message = MessageGas.Default.Apply(new Message(0, to, from, nonce, value, 0, TokenAmount.Zero, TokenAmount.Zero, method, parameters));
        var cid = await sectors.Devnet.MpoolPush(SignedMessage.SignSecp256k1(message, key));
        var receipt = (await sectors.Devnet.StateWaitMsg(cid, 0)).Receipt;
        Assert.Equal(0, receipt.ExitCode);
        return receipt;
    }

    private static byte[] Key(string name) => Blake2b.Hash256(System.Text.Encoding.ASCII.GetBytes($"granary sector test {name}"));
}

/// <summary>A piece staged by <see cref="SectorDealPieces.StageAsync"/>: its bytes, its file and its CommP (padded to 1 KiB).</summary>
internal sealed record StagedPiece(byte[] Bytes, string Path, byte[] CommP);
