using Granary.Libp2p.Multiaddrs;

namespace Granary.Libp2p.Tests;

public sealed class MultiaddrMalformedTests
{
    [Fact]
    public void Message_names_the_input_and_the_problem()
    {
        var e = Assert.Throws<MultiaddrFormatException>(() => Multiaddr.Parse("/ip4/1.2.3/tcp/1"));
        Assert.Equal("multiaddr '/ip4/1.2.3/tcp/1': bad ip4 address '1.2.3'", e.Message);
        Assert.IsAssignableFrom<Libp2pProtocolException>(e);
    }

    // Every case js @multiformats/multiaddr 13.0.3 also rejects, except where noted.
    [Theory]
    [InlineData("/ip4/1.2.3", "bad ip4 address '1.2.3'")]
    [InlineData("/ip4/01.2.3.4", "bad ip4 address '01.2.3.4'")]
    [InlineData("/ip4/256.1.1.1", "bad ip4 address")]
    [InlineData("/ip4/1.2.3.4.5", "bad ip4 address")]
    [InlineData("/ip4/ 1.2.3.4", "bad ip4 address")]
    [InlineData("/ip4/1.2.3.4 ", "bad ip4 address")]
    [InlineData("/ip4/1.2.3.", "bad ip4 address")]
    [InlineData("/ip4/1..2.3", "bad ip4 address")]
    [InlineData("/ip4/0x7f.0.0.1", "bad ip4 address")]
    [InlineData("/ip4/1234.1.1.1", "bad ip4 address")]
    [InlineData("/ip4/::1", "bad ip4 address")]
    [InlineData("/tcp/65536", "bad tcp port '65536' (expected a decimal number 0..65535)")]
    [InlineData("/udp/99999", "bad udp port '99999'")]
    [InlineData("/tcp/-1", "bad tcp port")]
    [InlineData("/tcp/01", "bad tcp port")]
    [InlineData("/tcp/+1", "bad tcp port")]
    [InlineData("/tcp/1.0", "bad tcp port")]
    [InlineData("/tcp/1a", "bad tcp port")]
    [InlineData("/tcp/000000001", "bad tcp port")]
    [InlineData("/tcp/٣", "bad tcp port")]
    [InlineData("/tcp", "missing value for tcp")]
    [InlineData("/tcp/", "missing value for tcp")]
    [InlineData("/ip4", "missing value for ip4")]
    [InlineData("/dns/", "missing value for dns")]
    [InlineData("/ip4/1.2.3.4/tcp", "missing value for tcp")]
    [InlineData("ip4/1.2.3.4", "must start with '/'")]
    [InlineData(" /ip4/1.2.3.4", "must start with '/'")]
    [InlineData("/foo/1", "unknown protocol 'foo'")]
    [InlineData("/TCP/1", "unknown protocol 'TCP'")]
    [InlineData("/dns/a/b", "unknown protocol 'b'")]
    [InlineData("/ip6/fe80::1%eth0", "bad ip6 address 'fe80::1%eth0'")]
    [InlineData("/ip6/1::2::3", "bad ip6 address")]
    [InlineData("/ip6/12345::1", "bad ip6 address")]
    [InlineData("/ip6/1:2:3:4:5:6:7", "bad ip6 address")]
    [InlineData("/ip6/1:2:3:4:5:6:7:8:9", "bad ip6 address")]
    [InlineData("/ip6/1:2:3:4::5:6:7:8", "bad ip6 address")]
    [InlineData("/ip6/:1:2:3:4:5:6:7", "bad ip6 address")]
    [InlineData("/ip6/1:2:3:4:5:6:7:", "bad ip6 address")]
    [InlineData("/ip6/:::", "bad ip6 address")]
    [InlineData("/ip6/1:::2", "bad ip6 address")]
    [InlineData("/ip6/1.2.3.4::", "bad ip6 address")]
    [InlineData("/ip6/::1.2.3", "bad ip6 address")]
    [InlineData("/ip6/::1.2.3.4:5", "bad ip6 address")]
    [InlineData("/ip6/1:2:3:4:5:6:7:1.2.3.4", "bad ip6 address")]
    [InlineData("/ip6/[::1]", "bad ip6 address")]
    [InlineData("/ip6/::g", "bad ip6 address")]
    [InlineData("/ip6/1", "bad ip6 address")]
    [InlineData("/ip6/1.2.3.4", "bad ip6 address")]
    [InlineData("/dns/a b", "bad dns name 'a b': contains byte 0x20")]
    [InlineData("/dns4/a\u0001b", "bad dns4 name")]
    [InlineData("/p2p/0OIl", "bad p2p peer id '0OIl'")]
    [InlineData("/p2p/1", "bad p2p peer id '1': peer id is not a valid multihash")] // js accepts these two: it checks only base58
    [InlineData("/p2p/Qm", "bad p2p peer id 'Qm'")]
    [InlineData("/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5", "bad p2p peer id")]
    // js accepts a CID of any codec here; go-multiaddr and the peer-id spec require libp2p-key.
    [InlineData("/p2p/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", "has codec 0x70; peer ids use libp2p-key (0x72)")]
    [InlineData("/p2p/bafzaajaiaejcbcui4poxicprsx6vfwznhs5f24wkm4e36hmucin7g5eiag2a632", "bad p2p peer id")]
    // js collapses the first run of doubled slashes (and only that one); like go we reject an empty segment.
    [InlineData("//ip4/1.2.3.4", "empty protocol name (doubled '/')")]
    [InlineData("/ip4//1.2.3.4", "missing value for ip4")]
    [InlineData("/tls//ws", "empty protocol name")]
    public void Malformed_text(string text, string problem)
    {
        var e = Assert.Throws<MultiaddrFormatException>(() => Multiaddr.Parse(text));
        Assert.StartsWith("multiaddr '", e.Message);
        Assert.Contains(problem, e.Message);
        Assert.False(Multiaddr.TryParse(text, out var none));
        Assert.Null(none);
    }

    [Fact]
    public void Domain_names_are_at_most_255_bytes()
    {
        var name255 = new string('a', 255);
        Assert.Equal(255 + 3, Multiaddr.Parse("/dns/" + name255).ToBytes().Length); // code, 2-byte length, name
        var e = Assert.Throws<MultiaddrFormatException>(() => Multiaddr.Parse("/dns/" + name255 + "a"));
        Assert.Contains("longer than 255", e.Message);
        // 128 two-byte characters: 256 bytes though only 128 chars.
        Assert.Throws<MultiaddrFormatException>(() => Multiaddr.Parse("/dns/" + new string('é', 128)));
        Assert.Equal("/dns/é.example", Multiaddr.Parse("/dns/é.example").ToString());
    }

    [Fact]
    public void Text_and_binary_size_limits()
    {
        var name = new string('a', 255);
        var e = Assert.Throws<MultiaddrFormatException>(() => Multiaddr.Parse(string.Concat(Enumerable.Repeat("/dns/" + name, 4))));
        Assert.Contains("longer than 1024 bytes", e.Message);
        Assert.Contains("…", e.Message); // the 1 KiB input is excerpted, not echoed whole

        e = Assert.Throws<MultiaddrFormatException>(() => Multiaddr.Parse("/" + new string('a', Multiaddr.MaxTextLength)));
        Assert.Contains("longer than 4096", e.Message);

        Assert.False(Multiaddr.TryParse(null, out _));
        Assert.Throws<ArgumentNullException>(() => Multiaddr.Parse(null!));
    }

    [Theory]
    [InlineData("07", "unknown protocol code 7 at byte 0")]
    [InlineData("0401020304ff7f", "unknown protocol code 16383 at byte 5")]
    [InlineData("047f00", "ip4 value truncated: 4 bytes needed, 2 left")]
    [InlineData("04", "ip4 value truncated: 4 bytes needed, 0 left")]
    [InlineData("060f", "tcp value truncated: 2 bytes needed, 1 left")]
    [InlineData("29000000000000000000000000000000", "ip6 value truncated: 16 bytes needed, 15 left")]
    [InlineData("047f000001060fa19102", "udp value truncated")]
    [InlineData("80", "bad protocol code at byte 0: varint is truncated")]
    [InlineData("047f00000186", "bad protocol code at byte 5: varint is truncated")]
    [InlineData("8400", "bad protocol code at byte 0: varint is not minimally encoded")]
    [InlineData("ffffffffffffffffffff", "varint is longer than 9 bytes")]
    [InlineData("35", "bad dns value length at byte 1: varint is truncated")]
    [InlineData("358900", "bad dns value length at byte 1: varint is not minimally encoded")]
    [InlineData("35096c6f63", "dns value of 9 bytes overruns the 3 bytes left")]
    [InlineData("a50326002408", "p2p value of 38 bytes overruns the 3 bytes left")]
    [InlineData("3500", "bad dns name: empty")]
    [InlineData("3503612f62", "bad dns name: contains byte 0x2f")]
    [InlineData("3603610062", "bad dns4 name: contains byte 0x00")]
    [InlineData("3702c328", "bad dns6 name: not valid UTF-8")]
    [InlineData("a503020562", "bad p2p peer id: peer id is not a valid multihash")]
    [InlineData("a50300", "bad p2p peer id: peer id is not a valid multihash")]
    [InlineData("a50304000101ff", "bad p2p peer id: peer id has 1 trailing bytes after the multihash")]
    [InlineData("a503041202abcd", "bad p2p peer id: sha2-256 peer id has a 2-byte digest, expected 32")]
    [InlineData("a50304130201ff", "bad p2p peer id: peer id uses multihash code 0x13")]
    [InlineData("a50303000101", "bad p2p peer id: ")] // an identity multihash must inline a public key
    public void Malformed_bytes(string hex, string problem)
    {
        var bytes = Convert.FromHexString(hex);
        var e = Assert.Throws<MultiaddrFormatException>(() => Multiaddr.FromBytes(bytes));
        Assert.StartsWith($"multiaddr 0x{hex}: ", e.Message);
        Assert.Contains(problem, e.Message);
        Assert.False(Multiaddr.TryFromBytes(bytes, out var none));
        Assert.Null(none);
    }

    [Fact]
    public void Binary_over_1_KiB_is_refused_before_parsing()
    {
        var bytes = new byte[Multiaddr.MaxBytes + 1];
        var e = Assert.Throws<MultiaddrFormatException>(() => Multiaddr.FromBytes(bytes));
        Assert.Contains("1025 bytes, longer than 1024", e.Message);
        Assert.Contains("… (1025 bytes)", e.Message);
    }

    [Fact]
    public void A_domain_name_of_more_than_255_bytes_in_binary_is_refused()
    {
        byte[] bytes = [0x35, 0x80, 0x02, .. Enumerable.Repeat((byte)'a', 256)];
        var e = Assert.Throws<MultiaddrFormatException>(() => Multiaddr.FromBytes(bytes));
        Assert.Contains("bad dns name: 256 bytes, longer than 255", e.Message);
    }
}
