using Granary.Filecoin.Cids;
using Granary.Filecoin.Encoding;
using Granary.Filecoin.Pieces;

namespace Granary.Filecoin.Tests;

public sealed class EncodingTests
{
    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(1UL, "01")]
    [InlineData(127UL, "7f")]
    [InlineData(128UL, "8001")]
    [InlineData(300UL, "ac02")]
    [InlineData(0xf101UL, "81e203")]       // fil-commitment-unsealed, as in every baga… CID
    [InlineData(0x1012UL, "9220")]         // sha2-256-trunc254-padded
    public void Varints_match_the_multiformats_encoding(ulong value, string hex)
    {
        Assert.Equal(hex, Convert.ToHexStringLower(Varint.Encode(value)));
        Assert.Equal(value, Varint.Read(Convert.FromHexString(hex), out var n));
        Assert.Equal(hex.Length / 2, n);
    }

    [Theory]
    [InlineData("", "truncated")]
    [InlineData("80", "truncated")]
    [InlineData("8000", "not minimally encoded")]
    [InlineData("ffffffffffffffffff01", "longer than 9 bytes")]
    public void Bad_varints_are_refused(string hex, string message)
    {
        var error = Assert.Throws<FilecoinFormatException>(() => Varint.Read(Convert.FromHexString(hex), out _));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Base32_and_base58_round_trip_and_refuse_foreign_characters()
    {
        var random = new Random(9);
        for (var length = 0; length < 70; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            data[0..Math.Min(2, length)].AsSpan().Clear(); // leading zeros matter to base58
            Assert.Equal(data, Base32.Decode(Base32.Encode(data)));
            Assert.Equal(data, Base58.Decode(Base58.Encode(data)));
        }

        Assert.Equal("mzxw6ytboi", Base32.Encode("foobar"u8));   // RFC 4648 test vector, lower case, unpadded
        Assert.Throws<FilecoinFormatException>(() => Base32.Decode("mzxw6ytbo1"));
        Assert.Throws<FilecoinFormatException>(() => Base58.Decode("0OIl"));
    }

    [Fact]
    public void Cids_parse_and_format_in_v0_and_v1()
    {
        const string v0 = "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n";
        const string v1 = "bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
        Assert.Equal(v0, Cid.Parse(v0).ToString());
        Assert.Equal(v1, Cid.Parse(v1).ToString());
        Assert.Equal(Cid.Parse(v1), Cid.FromBytes(Cid.Parse(v1).ToBytes()));
        Assert.Equal(v1, Cid.Parse("z" + Base58.Encode(Cid.Parse(v1).ToBytes())).ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("x123", "unsupported multibase prefix")]
    [InlineData("b!!!", "not a base32 character")]
    [InlineData("bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk", "")]     // truncated digest
    [InlineData("bajkreaa", "unsupported CID version 2")]
    public void Bad_cids_are_refused_with_a_message(string text, string message)
    {
        var error = Assert.Throws<FilecoinFormatException>(() => Cid.Parse(text));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_cid_with_trailing_bytes_or_an_oversized_digest_is_refused()
    {
        var bytes = Cid.Parse("bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku").ToBytes();
        Assert.Throws<FilecoinFormatException>(() => Cid.FromBytes([.. bytes, 0]));
        Assert.Throws<FilecoinFormatException>(() => Cid.FromBytes([1, 0x55, 0x12, .. Varint.Encode(5000)]));
        Assert.Throws<FilecoinFormatException>(() => PieceCid.CommitmentOf(Cid.Parse("bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")));
    }

    [Fact]
    public async Task Fr32_pads_and_unpads_every_bit_and_clears_the_top_two_bits()
    {
        var random = new Random(4);
        var payload = new byte[127 * 40];
        random.NextBytes(payload);
        var padded = new byte[128 * 40];
        Fr32.Pad(payload, padded);

        for (var node = 0; node < padded.Length / 32; node++)
        {
            Assert.Equal(0, padded[(node * 32) + 31] & 0xC0);
        }

        var back = new byte[payload.Length];
        Fr32.Unpad(padded, back);
        Assert.Equal(payload, back);

        // Every single payload bit lands in exactly one padded bit.
        for (var bit = 0; bit < 1016; bit += 7)
        {
            var one = new byte[127];
            one[bit / 8] = (byte)(1 << (bit % 8));
            var p = new byte[128];
            Fr32.Pad(one, p);
            var paddedBit = bit + (2 * (bit / 254));
            Assert.Equal(1 << (paddedBit % 8), p[paddedBit / 8]);
            Assert.Equal(1, p.Sum(b => System.Numerics.BitOperations.PopCount(b)));
        }

        using var output = new MemoryStream();
        await Fr32.PadAsync(new MemoryStream(payload[..300]), output);
        Assert.Equal(384, output.Length); // 300 bytes → 3 whole 127-byte blocks, the last zero-filled
        Assert.Throws<ArgumentException>(() => Fr32.Pad(new byte[100], new byte[128]));
    }
}
