using System.Formats.Cbor;
using System.Numerics;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;

namespace Granary.Filecoin.Tests;

public sealed class ChainTypesTests
{
    private static readonly byte[] ClientKey = Enumerable.Repeat((byte)9, 32).ToArray();

    [Theory]
    [InlineData("0", "")]
    [InlineData("1", "0001")]
    [InlineData("-1", "0101")]
    [InlineData("256", "000100")]
    [InlineData("1000000000000000000", "000de0b6b3a7640000")]
    public void Token_amounts_use_filecoins_big_integer_bytes(string atto, string hex)
    {
        var amount = new TokenAmount(BigInteger.Parse(atto));
        Assert.Equal(hex, Convert.ToHexStringLower(amount.ToBytes()));
        Assert.Equal(amount, TokenAmount.FromBytes(Convert.FromHexString(hex)));
    }

    [Theory]
    [InlineData("02ff", "sign byte")]
    [InlineData("00", "not minimally encoded")]
    [InlineData("000001", "not minimally encoded")]
    public void Malformed_big_integers_are_refused(string hex, string message) =>
        Assert.Contains(message, Assert.Throws<FilecoinFormatException>(() => TokenAmount.FromBytes(Convert.FromHexString(hex))).Message);

    [Theory]
    [InlineData("1.5 FIL", "1500000000000000000", "1.5 FIL")]
    [InlineData("0", "0", "0 FIL")]
    [InlineData("0.000000000000000001", "1", "0.000000000000000001 FIL")]
    [InlineData("2fil", "2000000000000000000", "2 FIL")]
    [InlineData("1500 attofil", "1500", "0.0000000000000015 FIL")]
    public void Fil_text_parses_and_formats_like_lotus(string text, string atto, string formatted)
    {
        var amount = TokenAmount.Parse(text);
        Assert.Equal(BigInteger.Parse(atto), amount.AttoFil);
        Assert.Equal(formatted, amount.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("0.0000000000000000001")]
    [InlineData("one FIL")]
    public void Bad_fil_text_is_refused(string text) => Assert.Throws<FilecoinFormatException>(() => TokenAmount.Parse(text));

    [Fact]
    public void A_signed_deal_proposal_round_trips_and_verifies_and_its_tuple_header_is_0x8b()
    {
        var signed = ClientDealProposal.SignSecp256k1(Proposal(DealLabel.FromString("bafy-root")), ClientKey);

        var bytes = signed.Proposal.ToCbor();
        Assert.Equal(0x8b, bytes[0]);
        Assert.Equal(0x82, signed.ToCbor()[0]);
        Assert.True(signed.VerifyClientSignature());
        var back = ClientDealProposal.FromCbor(signed.ToCbor());
        Assert.Equal(signed.ToCbor(), back.ToCbor());
        Assert.True(back.VerifyClientSignature());
        Assert.False((signed with { Proposal = signed.Proposal with { EndEpoch = 999_999 } }).VerifyClientSignature());
        Assert.Equal(signed.Proposal.Cid(), DagCbor.CidOf(bytes));
    }

    [Fact]
    public void Deal_labels_are_a_string_or_bytes_union_of_at_most_256_bytes()
    {
        var text = Proposal(DealLabel.FromString("hello")).ToCbor();
        var bytes = Proposal(DealLabel.FromBytes([1, 2, 3])).ToCbor();
        Assert.Equal(DealLabel.FromString("hello"), DealProposal.FromCbor(text).Label);
        Assert.Equal(DealLabel.FromBytes([1, 2, 3]), DealProposal.FromCbor(bytes).Label);
        Assert.Throws<FilecoinFormatException>(() => DealLabel.FromString(new string('x', 257)));
        Assert.Throws<FilecoinFormatException>(() => DealLabel.FromBytes(new byte[257]));
    }

    [Fact]
    public void BLS_client_signatures_are_a_typed_unsupported_error()
    {
        var bls = new ClientDealProposal(Proposal(DealLabel.Empty), new Signature(SignatureType.Bls, new byte[96]));
        Assert.Throws<UnsupportedSignatureTypeException>(() => bls.VerifyClientSignature());
    }

    [Fact]
    public void Truncated_trailing_non_canonical_and_wrong_shape_cbor_is_refused()
    {
        var good = ClientDealProposal.SignSecp256k1(Proposal(DealLabel.Empty), ClientKey).ToCbor();

        Assert.Throws<FilecoinFormatException>(() => ClientDealProposal.FromCbor(good[..^1]));
        Assert.Throws<FilecoinFormatException>(() => ClientDealProposal.FromCbor(good[..10]));
        Assert.Throws<FilecoinFormatException>(() => ClientDealProposal.FromCbor(good.Append((byte)0).ToArray()));
        Assert.Throws<FilecoinFormatException>(() => ClientDealProposal.FromCbor(Array.Empty<byte>()));

        // Non-canonical: the proposal's piece size 2048 written with a 4-byte integer where 2 bytes suffice.
        var proposal = Proposal(DealLabel.Empty).ToCbor();
        var nonCanonical = proposal.ToList();
        var at = FindSequence(proposal, [0x19, 0x08, 0x00]);
        nonCanonical.RemoveRange(at, 3);
        nonCanonical.InsertRange(at, [0x1a, 0x00, 0x00, 0x08, 0x00]);
        Assert.Throws<FilecoinFormatException>(() => DealProposal.FromCbor(nonCanonical.ToArray()));

        // A 10-tuple is not a deal proposal; an indefinite-length array is not DAG-CBOR.
        var w = new CborWriter();
        w.WriteStartArray(10);
        for (var i = 0; i < 10; i++)
        {
            w.WriteInt32(0);
        }

        w.WriteEndArray();
        Assert.Contains("11-tuple", Assert.Throws<FilecoinFormatException>(() => DealProposal.FromCbor(w.Encode())).Message);
        Assert.Throws<FilecoinFormatException>(() => DealProposal.FromCbor(new byte[] { 0x9f, 0xff }));
    }

    [Fact]
    public void Message_params_and_addresses_have_limits()
    {
        var message = new Message(0, Address.FromId(1), Address.FromId(2), 0, TokenAmount.Zero, 0, TokenAmount.Zero, TokenAmount.Zero, 0, new byte[Message.MaxParamsBytes + 1]);
        Assert.Contains("limit", Assert.Throws<FilecoinFormatException>(() => Message.FromCbor(message.ToCbor())).Message);
    }

    private static DealProposal Proposal(DealLabel label) => new(
        PieceCid.V1(ZeroPieces.Commitment(2048)), 2048, false, Secp256k1.AddressOf(ClientKey), Address.FromId(1000), label,
        10_000, 600_000, new TokenAmount(1000), TokenAmount.Zero, TokenAmount.Zero);

    private static int FindSequence(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        throw new InvalidOperationException("sequence not found");
    }
}
