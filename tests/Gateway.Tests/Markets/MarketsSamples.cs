using System.Globalization;
using System.Numerics;
using System.Text;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;
using Granary.Gateway.Wire;
using Granary.Grains.Deals;

namespace Granary.Gateway.Tests.Markets;

/// <summary>Sample markets values and their logical form for the independent encoder (hex bytes, decimal big integers).</summary>
internal static class MarketsSamples
{
    public static readonly byte[] ClientKey = Blake2b.Hash256(Encoding.ASCII.GetBytes("granary markets wire sample client"));
    public static readonly Address Client = Secp256k1.AddressOf(ClientKey);
    public static readonly Address Provider = Address.FromId(1000);
    public static readonly Guid Uuid = Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    public static readonly Cid Piece = PieceCid.V1(CommP.Compute(Encoding.ASCII.GetBytes("granary markets sample piece")).Commitment);
    public static readonly Cid Root = DagCbor.CidOf(Encoding.ASCII.GetBytes("granary markets sample root"));

    public static DealProposal Proposal(string label = "bafy-sample-root", long start = 10_000, BigInteger? price = null) => new(
        Piece, 2048, false, Client, Provider, DealLabel.FromString(label), start, start + 518_400, new TokenAmount(price ?? 95),
        new TokenAmount(BigInteger.Parse("12345678901234567890", CultureInfo.InvariantCulture)), new TokenAmount(1_000_000_000_000_000_000));

    public static ClientDealProposal Signed(DealProposal? proposal = null) => ClientDealProposal.SignSecp256k1(proposal ?? Proposal(), ClientKey);

    public static DealTransfer HttpTransfer(ulong size = 2000) => new("http", "client-7",
        new HttpTransferRequest("https://client.example/data.car", new Dictionary<string, string> { ["Authorization"] = "Bearer t0k3n" }).ToJson(), size);

    public static DealParams Params(bool offline = false) => new(Uuid, offline, Signed(), Root, offline ? DealTransfer.None : HttpTransfer(), true, false);

    // Logical forms for vectors.mjs.
    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    public static string Big(TokenAmount amount) => amount.AttoFil.ToString(CultureInfo.InvariantCulture);

    public static object Logical(DealProposal p) => new
    {
        pieceCid = Hex(p.PieceCid.ToBytes()),
        pieceSize = p.PieceSize,
        verified = p.VerifiedDeal,
        client = Hex(p.Client.ToBytes()),
        provider = Hex(p.Provider.ToBytes()),
        label = p.Label.Text,
        start = p.StartEpoch,
        end = p.EndEpoch,
        price = Big(p.StoragePricePerEpoch),
        providerCollateral = Big(p.ProviderCollateral),
        clientCollateral = Big(p.ClientCollateral),
    };

    public static object Logical(DealTransfer t) => new { type = t.Type, clientId = t.ClientId, @params = Hex(t.Params), size = t.Size };

    public static object Logical(DealParams d) => new
    {
        uuid = Hex(d.DealUuid.ToByteArray(bigEndian: true)),
        isOffline = d.IsOffline,
        proposal = Logical(d.ClientDealProposal.Proposal),
        signature = Hex(d.ClientDealProposal.ClientSignature.ToBytes()),
        root = Hex(d.DealDataRoot.ToBytes()),
        transfer = Logical(d.Transfer),
        removeUnsealed = d.RemoveUnsealedCopy,
        skipIpni = d.SkipIpniAnnounce,
    };

    public static object Logical(DealStatus s) => new
    {
        error = s.Error,
        status = s.Status,
        sealingStatus = s.SealingStatus,
        proposal = Logical(s.Proposal),
        signedProposalCid = Hex(s.SignedProposalCid.ToBytes()),
        publishCid = s.PublishCid is null ? null : Hex(s.PublishCid.ToBytes()),
        chainDealId = s.ChainDealId,
    };

    public static object Logical(DealStatusResponse r) => new
    {
        uuid = Hex(r.DealUuid.ToByteArray(bigEndian: true)),
        error = r.Error,
        dealStatus = r.DealStatus is null ? null : Logical(r.DealStatus),
        isOffline = r.IsOffline,
        transferSize = r.TransferSize,
        nBytesReceived = r.NBytesReceived,
    };

    public static object Logical(StorageAsk a) => new
    {
        price = a.Price.ToString(CultureInfo.InvariantCulture),
        verifiedPrice = a.VerifiedPrice.ToString(CultureInfo.InvariantCulture),
        minPieceSize = a.MinPieceSize,
        maxPieceSize = a.MaxPieceSize,
        miner = Hex(Address.Parse(a.Miner).ToBytes()),
        timestamp = a.Timestamp,
        expiry = a.Expiry,
        seqNo = a.SeqNo,
    };

    public static object Logical(SignedStorageAsk s) => new
    {
        ask = s.Ask is null ? null : Logical(s.Ask),
        signature = s.Signature is null ? null : Hex(s.Signature.ToBytes()),
    };

    public static object Logical(QueryResponse q) => new
    {
        status = (ulong)q.Status,
        pieceCidFound = (ulong)q.PieceCidFound,
        size = q.Size,
        paymentAddress = Hex(q.PaymentAddress.ToBytes()),
        minPricePerByte = Big(q.MinPricePerByte),
        maxPaymentInterval = q.MaxPaymentInterval,
        maxPaymentIntervalIncrease = q.MaxPaymentIntervalIncrease,
        message = q.Message,
        unsealPrice = Big(q.UnsealPrice),
    };
}
