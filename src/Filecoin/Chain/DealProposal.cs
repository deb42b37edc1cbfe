using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;

namespace Granary.Filecoin.Chain;

/// <summary>A storage deal proposal: the market actor's 11-tuple. The client signs its CBOR bytes.</summary>
public sealed record DealProposal(
    Cid PieceCid, long PieceSize, bool VerifiedDeal, Address Client, Address Provider, DealLabel Label,
    long StartEpoch, long EndEpoch, TokenAmount StoragePricePerEpoch, TokenAmount ProviderCollateral, TokenAmount ClientCollateral)
{
    /// <summary>The CBOR bytes (what the client signs).</summary>
    public byte[] ToCbor()
    {
        var w = DagCbor.Writer();
        Write(w);
        return w.Encode();
    }

    /// <summary>The proposal CID.</summary>
    public Cid Cid() => DagCbor.CidOf(ToCbor());

    /// <summary>Epochs the deal lasts.</summary>
    public long Duration => EndEpoch - StartEpoch;

    /// <summary>Price per epoch × duration.</summary>
    public TokenAmount TotalStorageFee => new(StoragePricePerEpoch.AttoFil * Duration);

    /// <summary>Reads the CBOR bytes.</summary>
    public static DealProposal FromCbor(ReadOnlyMemory<byte> bytes)
    {
        var r = DagCbor.Reader(bytes);
        var proposal = Read(r);
        r.ExpectEnd("deal proposal");
        return proposal;
    }

    internal void Write(System.Formats.Cbor.CborWriter w)
    {
        w.WriteStartArray(11);
        w.WriteCid(PieceCid);
        w.WriteUInt64((ulong)PieceSize);
        w.WriteBoolean(VerifiedDeal);
        w.WriteAddress(Client);
        w.WriteAddress(Provider);
        Label.Write(w);
        w.WriteInt64(StartEpoch);
        w.WriteInt64(EndEpoch);
        w.WriteAmount(StoragePricePerEpoch);
        w.WriteAmount(ProviderCollateral);
        w.WriteAmount(ClientCollateral);
        w.WriteEndArray();
    }

    internal static DealProposal Read(System.Formats.Cbor.CborReader r)
    {
        r.ReadTuple(11, "deal proposal");
        var pieceCid = r.ReadCid();
        Pieces.PieceCid.CommitmentOf(pieceCid); // must be a v1 piece CID
        var pieceSize = r.UInt();
        if (!PaddedPieceSize.IsValid((long)Math.Min(pieceSize, long.MaxValue)))
        {
            throw new FilecoinFormatException($"piece size {pieceSize} is not a padded piece size");
        }

        var proposal = new DealProposal(pieceCid, (long)pieceSize, DagCbor.Guard(r.ReadBoolean), r.ReadAddress("Client"), r.ReadAddress("Provider"),
            DealLabel.Read(r), r.Int(), r.Int(), r.ReadAmount("StoragePricePerEpoch"), r.ReadAmount("ProviderCollateral"), r.ReadAmount("ClientCollateral"));
        DagCbor.Guard(() => { r.ReadEndArray(); return 0; });
        return proposal;
    }
}

/// <summary>A deal proposal with the client's signature over its CBOR bytes: a 2-tuple.</summary>
public sealed record ClientDealProposal(DealProposal Proposal, Signature ClientSignature)
{
    /// <summary>Signs a proposal with the client's secp256k1 key.</summary>
    public static ClientDealProposal SignSecp256k1(DealProposal proposal, ReadOnlySpan<byte> privateKey) =>
        new(proposal, Secp256k1.Sign(privateKey, proposal.ToCbor()));

    /// <summary>True if the client signed the proposal.</summary>
    /// <exception cref="UnsupportedSignatureTypeException">A BLS client signature.</exception>
    public bool VerifyClientSignature() => Secp256k1.Verify(ClientSignature, Proposal.ToCbor(), Proposal.Client);

    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor()
    {
        var w = DagCbor.Writer();
        w.WriteStartArray(2);
        Proposal.Write(w);
        w.WriteByteString(ClientSignature.ToBytes());
        w.WriteEndArray();
        return w.Encode();
    }

    /// <summary>The signed proposal's CID (what Boost reports).</summary>
    public Cid Cid() => DagCbor.CidOf(ToCbor());

    /// <summary>Reads the CBOR bytes.</summary>
    public static ClientDealProposal FromCbor(ReadOnlyMemory<byte> bytes)
    {
        var r = DagCbor.Reader(bytes);
        r.ReadTuple(2, "client deal proposal");
        var proposal = DealProposal.Read(r);
        var signature = Signature.FromBytes(r.Bytes("ClientSignature", 200));
        DagCbor.Guard(() => { r.ReadEndArray(); return 0; });
        r.ExpectEnd("client deal proposal");
        return new ClientDealProposal(proposal, signature);
    }
}
