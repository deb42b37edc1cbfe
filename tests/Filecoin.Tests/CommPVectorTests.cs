using System.Security.Cryptography;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Pieces;

namespace Granary.Filecoin.Tests;

/// <summary>CommP and piece CIDs against vectors from go-fil-commp-hashhash (Lotus), data-segment and FRC-0069.</summary>
public sealed class CommPVectorTests
{
    public static TheoryData<string> Files => new() { "commp-zero.txt", "commp-0xCC.txt" };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Lotus_vectors_for_zero_and_0xCC_payloads(string file)
    {
        var fill = file.Contains("0xCC") ? (byte)0xCC : (byte)0;
        foreach (var row in Vectors.Rows(file))
        {
            var size = long.Parse(row[0]);
            using var payload = new RepeatingStream(fill, size);
            var result = await CommP.ComputeAsync(payload);

            Assert.Equal(long.Parse(row[1]), result.PaddedSize);
            Assert.Equal(row[2], result.CidV1.ToString());
        }
    }

    [Fact]
    public void Data_segment_vectors_with_their_derive_buffer_payloads()
    {
        var rows = Vectors.Rows("commp-data-segment.csv").ToList();
        Assert.True(rows.Count > 80);
        foreach (var row in rows)
        {
            var payload = DeriveBuffer(int.Parse(row[0]));
            // The raw CID column checks the payload generator itself.
            Assert.Equal(row[1], new Cid(1, Cid.Raw, new Multihash(Multihash.Sha2_256, SHA256.HashData(payload))).ToString());

            var result = CommP.Compute(payload);

            Assert.Equal(long.Parse(row[3]), result.PaddedSize);
            Assert.Equal(row[4], result.CidV1.ToString());
        }
    }

    [Theory]
    [InlineData("508", "baga6ea4seaqes3nobte6ezpp4wqan2age2s5yxcatzotcvobhgcmv5wi2xh5mbi", "bafkzcibcaaces3nobte6ezpp4wqan2age2s5yxcatzotcvobhgcmv5wi2xh5mbi")]
    [InlineData("empty", null, "bafkzcibcp4bdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy")]
    [InlineData("127zero", "baga6ea4seaqdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy", "bafkzcibcaabdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy")]
    [InlineData("128zero", "baga6ea4seaqgiktap34inmaex4wbs6cghlq5i2j2yd2bb2zndn5ep7ralzphkdy", "bafkzcibcpybwiktap34inmaex4wbs6cghlq5i2j2yd2bb2zndn5ep7ralzphkdy")]
    [InlineData("508+4", "baga6ea4seaqn42av3szurbbscwuu3zjssvfwbpsvbjf6y3tukvlgl2nf5rha6pa", "bafkzcibd7abqlxticxolgseegik2stpfgkkuwyf6kufex3doorkvmzpjuxwe4dz4")]
    [InlineData("508+5", null, "bafkzcibd64bqlxticxolgseegik2stpfgkkuwyf6kufex3doorkvmzpjuxwe4dz4")]
    [InlineData("cat", "baga6ea4seaqozp3abki6vgdf7ztbipcycmxfyt2o64cpuyvdkczsjxsg7bqmioi", null)]
    public void Frc0069_piece_cid_v1_and_v2(string name, string? v1, string? v2)
    {
        byte[] quad = [.. Enumerable.Range(0, 4).SelectMany(i => Enumerable.Repeat((byte)i, 127))];
        var payload = name switch
        {
            "508" => quad,
            "empty" => [],
            "127zero" => new byte[127],
            "128zero" => new byte[128],
            "508+4" => [.. quad, .. new byte[4]],
            "508+5" => [.. quad, .. new byte[5]],
            _ => [.. "i am the biggest cat, what do you think about that"u8, .. new byte[127 - 50]],
        };

        var result = CommP.Compute(payload);

        if (v1 is not null)
        {
            Assert.Equal(v1, result.CidV1.ToString());
        }

        if (v2 is not null)
        {
            Assert.Equal(v2, result.CidV2.ToString());
            Assert.Equal(v2, Cid.Parse(v2).ToString());
        }
    }

    [Fact]
    public void Zero_piece_table_matches_go_commp_utils()
    {
        Assert.Equal(new byte[] { 0x37, 0x31, 0xbb, 0x99, 0xac, 0x68, 0x9f, 0x66 }, ZeroPieces.Commitment(128)[..8]);
        Assert.Equal("baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq", PieceCid.V1(ZeroPieces.Commitment(32L << 30)).ToString());
        Assert.Equal("baga6ea4seaqomqafu276g53zko4k23xzh4h4uecjwicbmvhsuqi7o4bhthhm4aq", PieceCid.V1(ZeroPieces.Commitment(64L << 30)).ToString());
    }

    [Fact]
    public void CommD_of_a_live_32GiB_sector_from_its_pieces()
    {
        (string Cid, long Size)[] pieces =
        [
            ("baga6ea4seaqknzm22isnhsxt2s4dnw45kfywmhenngqq3nc7jvecakoca6ksyhy", 256 << 20),
            ("baga6ea4seaqnq6o5wuewdpviyoafno4rdpqnokz6ghvg2iyeyfbqxgcwdlj2egi", 1024 << 20),
            ("baga6ea4seaqpixk4ifbkzato3huzycj6ty6gllqwanhdpsvxikawyl5bg2h44mq", 512 << 20),
            ("baga6ea4seaqaxwe5dy6nt3ko5tngtmzvpqxqikw5mdwfjqgaxfwtzenc6bgzajq", 512 << 20),
            ("baga6ea4seaqpy33nbesa4d6ot2ygeuy43y4t7amc4izt52mlotqenwcmn2kyaai", 1024 << 20),
            ("baga6ea4seaqphvv4x2s2v7ykgc3ugs2kkltbdeg7icxstklkrgqvv72m2v3i2aa", 256 << 20),
            ("baga6ea4seaqf5u55znk6jwhdsrhe37emzhmehiyvjxpsww274f6fiy3h4yctady", 512 << 20),
            ("baga6ea4seaqa3qbabsbmvk5er6rhsjzt74beplzgulthamm22jue4zgqcuszofi", 1024 << 20),
            ("baga6ea4seaqiekvf623muj6jpxg6vsqaikyw3r4ob5u7363z7zcaixqvfqsc2ji", 256 << 20),
            ("baga6ea4seaqhsewv65z2d4m5o4vo65vl5o6z4bcegdvgnusvlt7rao44gro36pi", 512 << 20),
        ];

        var commD = SectorCommD.Compute(32L << 30, pieces.Select(p => new PieceInfo(p.Size, PieceCid.CommitmentOf(Cid.Parse(p.Cid)))));

        Assert.Equal("baga6ea4seaqiw3gbmstmexb7sqwkc5r23o3i7zcyx5kr76pfobpykes3af62kca", PieceCid.V1(commD).ToString());
    }

    [Fact]
    public void CommD_of_one_full_sector_piece_is_that_piece_and_of_nothing_is_the_zero_piece()
    {
        var piece = CommP.Compute(RandomNumberGenerator.GetBytes(1016 * 2));
        Assert.Equal(2048, piece.PaddedSize);

        Assert.Equal(piece.Commitment, SectorCommD.Compute(2048, [new PieceInfo(2048, piece.Commitment)]));
        Assert.Equal(ZeroPieces.Commitment(2048), SectorCommD.Compute(2048, []));
    }

    [Fact]
    public void Alignment_padding_follows_lotus()
    {
        // A 128-byte piece then a 512-byte piece: 128 + 256 of zero pieces bring the second to offset 512.
        Assert.Equal([128L, 256L], SectorCommD.AlignmentPadding(128, 512));
        Assert.Empty(SectorCommD.AlignmentPadding(1024, 512));
        Assert.Throws<ArgumentException>(() => SectorCommD.Compute(1024, [new PieceInfo(1024, new byte[32]), new PieceInfo(128, new byte[32])]));
    }

    internal static byte[] DeriveBuffer(int size)
    {
        var buffer = new byte[size + 64];
        var written = 0;
        while (written < size)
        {
            var previous = buffer.AsSpan(Math.Max(0, written - 64), Math.Min(written, 64));
            SHA512.HashData(previous, buffer.AsSpan(written, 64));
            written += 64;
        }

        return buffer[..size];
    }

    /// <summary>A stream of one byte value repeated, without holding it in memory.</summary>
    internal sealed class RepeatingStream(byte value, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            buffer.AsSpan(offset, n).Fill(value);
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
