using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;

namespace Granary.Libp2p.Tests;

public sealed class MultiaddrTests
{
    private const string PeerBase58 = "12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5";
    private const string PeerCid = "bafzaajaiaejcbcui4poxicprsx6vfwznhs5f24wkm4e36hmucin7g5eiag2a6324";
    private const string PeerMultihashHex = "0024080112208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";

    public static TheoryData<string, string, string> JsVectors()
    {
        // tests/vectors/libp2p-vectors.json: generated with js @multiformats/multiaddr 13.0.3.
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "libp2p-vectors.json")));
        var data = new TheoryData<string, string, string>();
        foreach (var v in json.RootElement.GetProperty("multiaddrs").EnumerateArray())
        {
            data.Add(v.GetProperty("text").GetString()!, v.GetProperty("bytes").GetString()!, v.GetProperty("roundTrip").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(JsVectors))]
    public void Text_and_bytes_match_the_js_vectors(string text, string hex, string roundTrip)
    {
        var parsed = Multiaddr.Parse(text);
        Assert.Equal(hex, Convert.ToHexStringLower(parsed.ToBytes()));
        Assert.Equal(roundTrip, parsed.ToString());

        var read = Multiaddr.FromBytes(Convert.FromHexString(hex));
        Assert.Equal(roundTrip, read.ToString());
        Assert.Equal(parsed, read);
    }

    [Fact]
    public void The_vector_file_has_every_case_the_reference_lists()
    {
        Assert.Equal(11, JsVectors().Count);
    }

    [Fact]
    public void Matches_the_multiaddr_feature_scenario()
    {
        // multiformats/multiaddr test/multiaddr.feature "Simple string form" / "Simple packed form".
        var ma = Multiaddr.Parse("/ip4/192.0.2.42/tcp/443");
        Assert.Equal("04c000022a0601bb", Convert.ToHexStringLower(ma.ToBytes()));
        Assert.Equal(8, ma.Bytes.Length);
        var back = Multiaddr.FromBytes(Convert.FromHexString("04c000022a0601bb"));
        Assert.Equal("/ip4/192.0.2.42/tcp/443", back.ToString());
        Assert.Equal(23, back.ToString().Length);

        Assert.Collection(
            back.Components,
            ip4 =>
            {
                Assert.Equal("/ip4/192.0.2.42", ip4.ToString());
                Assert.Equal("04c000022a", Convert.ToHexStringLower(ip4.Encoded.Span));
                Assert.Equal("192.0.2.42", ip4.Value);
                Assert.Equal("ip4", ip4.Protocol.Name);
                Assert.Equal(4, ip4.Protocol.Code);
                Assert.Equal("c000022a", Convert.ToHexStringLower(ip4.RawValue.Span));
            },
            tcp =>
            {
                Assert.Equal("/tcp/443", tcp.ToString());
                Assert.Equal("0601bb", Convert.ToHexStringLower(tcp.Encoded.Span));
                Assert.Equal("443", tcp.Value);
                Assert.Equal(6, tcp.Protocol.Code);
                Assert.Equal("01bb", Convert.ToHexStringLower(tcp.RawValue.Span));
            });
    }

    [Fact]
    public void Matches_the_multiaddr_readme_example()
    {
        // multiformats/multiaddr README: /ip4/127.0.0.1/udp/1234 = 0x4 0x7f 0x0 0x0 0x1 0x91 0x2 0x4 0xd2.
        Assert.Equal("047f000001910204d2", Convert.ToHexStringLower(Multiaddr.Parse("/ip4/127.0.0.1/udp/1234").ToBytes()));
        Assert.Equal("/ip4/127.0.0.1/udp/1234", Multiaddr.FromBytes(Convert.FromHexString("047f000001910204d2")).ToString());
    }

    // Outputs of js @multiformats/multiaddr 13.0.3 (tests/interop/libp2p, node 20), recorded by hand.
    [Theory]
    [InlineData("/ip6/::ffff:1.2.3.4/tcp/1", "/ip6/::ffff:102:304/tcp/1", "2900000000000000000000ffff01020304060001")]
    [InlineData("/ip6/2001:DB8:0:0:0:0:0:1", "/ip6/2001:db8::1", "2920010db8000000000000000000000001")]
    [InlineData("/ip6/2001:db8:0:1:0:0:0:1", "/ip6/2001:db8:0:1::1", "2920010db8000000010000000000000001")]
    [InlineData("/ip6/0:0:0:0:0:0:0:0", "/ip6/::", "2900000000000000000000000000000000")]
    [InlineData("/ip6/1:0:0:1:0:0:0:1", "/ip6/1:0:0:1::1", "2900010000000000010000000000000001")]
    [InlineData("/ip6/1:0:1:0:1:0:1:0", "/ip6/1:0:1:0:1:0:1:0", "2900010000000100000001000000010000")]
    [InlineData("/ip6/::1.2.3.4", "/ip6/::102:304", "2900000000000000000000000001020304")]
    [InlineData("/ip6/0001:0db8::0001", "/ip6/1:db8::1", "2900010db8000000000000000000000001")]
    [InlineData("/ip6/1:2:3:4:5:6:7:8", "/ip6/1:2:3:4:5:6:7:8", "2900010002000300040005000600070008")]
    [InlineData("/ip6/1:2:3:4:5:6:7::", "/ip6/1:2:3:4:5:6:7:0", "2900010002000300040005000600070000")]
    [InlineData("/ip6/::2:3:4:5:6:7:8", "/ip6/0:2:3:4:5:6:7:8", "2900000002000300040005000600070008")]
    [InlineData("/ip6/1:2:3:4:5:6:1.2.3.4", "/ip6/1:2:3:4:5:6:102:304", "2900010002000300040005000601020304")]
    [InlineData("/ip6/::", "/ip6/::", "2900000000000000000000000000000000")]
    [InlineData("/ip6/1::", "/ip6/1::", "2900010000000000000000000000000000")]
    [InlineData("/ip6/0:1:0:0:0:0:0:0", "/ip6/0:1::", "2900000001000000000000000000000000")]
    [InlineData("/ip6/fe80:0::1", "/ip6/fe80::1", "29fe800000000000000000000000000001")]
    [InlineData("/tcp/65535", "/tcp/65535", "06ffff")]
    [InlineData("/tcp/0", "/tcp/0", "060000")]
    [InlineData("/ip4/1.2.3.4/", "/ip4/1.2.3.4", "0401020304")]
    [InlineData("/ip4/1.2.3.4//", "/ip4/1.2.3.4", "0401020304")]
    [InlineData("/tls/", "/tls", "c003")]
    [InlineData("", "/", "")]
    [InlineData("/", "/", "")]
    [InlineData("/http", "/http", "e003")]
    [InlineData("/https", "/https", "bb03")]
    [InlineData("/ip4/1.2.3.4/tcp/1/ws", "/ip4/1.2.3.4/tcp/1/ws", "0401020304060001dd03")]
    [InlineData("/ip4/1.2.3.4/tcp/1/wss", "/ip4/1.2.3.4/tcp/1/wss", "0401020304060001de03")]
    [InlineData("/ipfs/" + PeerBase58, "/p2p/" + PeerBase58, "a50326" + PeerMultihashHex)]
    [InlineData("/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N", "/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N", "a5032212209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9")]
    public void Writes_the_canonical_text_js_writes(string text, string canonical, string hex)
    {
        var ma = Multiaddr.Parse(text);
        Assert.Equal(canonical, ma.ToString());
        Assert.Equal(hex, Convert.ToHexStringLower(ma.ToBytes()));
        Assert.Equal(canonical, Multiaddr.FromBytes(Convert.FromHexString(hex)).ToString());
    }

    [Fact]
    public void A_cid_peer_id_parses_to_the_same_multihash_and_prints_as_base58()
    {
        // js keeps the CID text it was given; from bytes (what crosses the wire) both print base58, as here.
        var fromCid = Multiaddr.Parse("/p2p/" + PeerCid);
        Assert.Equal("a50326" + PeerMultihashHex, Convert.ToHexStringLower(fromCid.ToBytes()));
        Assert.Equal("/p2p/" + PeerBase58, fromCid.ToString());
        Assert.Equal(Multiaddr.Parse("/p2p/" + PeerBase58), fromCid);
    }

    [Fact]
    public void Encapsulate_appends_and_decapsulate_cuts_at_the_last_occurrence()
    {
        var tcp = Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001");
        var full = tcp.Encapsulate("/p2p/" + PeerBase58);
        Assert.Equal("047f000001060fa1a50326" + PeerMultihashHex, Convert.ToHexStringLower(full.ToBytes()));
        Assert.Equal(tcp, full.Decapsulate("p2p"));
        Assert.Equal("/ip4/127.0.0.1", full.Decapsulate("tcp").ToString());
        Assert.Same(Multiaddr.Empty, full.Decapsulate(MultiaddrProtocol.Ip4));
        Assert.Same(full, full.Decapsulate("udp"));
        Assert.Same(tcp, tcp.Encapsulate(Multiaddr.Empty));
        Assert.Same(tcp, Multiaddr.Empty.Encapsulate(tcp));

        var relayed = Multiaddr.Parse($"/ip4/1.2.3.4/tcp/1/p2p/{PeerBase58}/p2p-circuit/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
        Assert.Equal($"/ip4/1.2.3.4/tcp/1/p2p/{PeerBase58}/p2p-circuit", relayed.Decapsulate("p2p").ToString());
        Assert.Equal("/ip4/1.2.3.4/tcp/1", relayed.Decapsulate("p2p").Decapsulate("p2p-circuit").Decapsulate("p2p").ToString());

        Assert.Throws<ArgumentException>(() => full.Decapsulate("nope"));
    }

    [Fact]
    public void Encapsulate_refuses_to_exceed_the_binary_limit()
    {
        var name = new string('a', 255);
        var big = Multiaddr.Parse($"/dns/{name}/dns/{name}/dns/{name}"); // 3 × 258 bytes
        var e = Assert.Throws<MultiaddrFormatException>(() => big.Encapsulate(Multiaddr.Parse($"/dns/{name}")));
        Assert.Contains("1024", e.Message);
    }

    [Fact]
    public void Tcp_endpoints_for_ip_and_dns_hosts()
    {
        Assert.True(Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001").TryGetTcpEndpoint(out var host, out var port, out var family));
        Assert.Equal(("127.0.0.1", 4001, AddressFamily.InterNetwork), (host, port, family));
        Assert.True(Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001").TryGetTcpEndpoint(out EndPoint? ep));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 4001), ep);

        var ip6 = Multiaddr.Parse("/ip6/::1/tcp/4001/p2p/" + PeerBase58);
        Assert.True(ip6.TryGetTcpEndpoint(out host, out port, out family));
        Assert.Equal(("::1", 4001, AddressFamily.InterNetworkV6), (host, port, family));
        Assert.True(ip6.TryGetTcpEndpoint(out ep));
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 4001), ep);

        Assert.True(Multiaddr.Parse("/dns4/example.com/tcp/443").TryGetTcpEndpoint(out ep));
        Assert.Equal(new DnsEndPoint("example.com", 443, AddressFamily.InterNetwork), ep);
        Assert.True(Multiaddr.Parse("/dns6/example.com/tcp/443").TryGetTcpEndpoint(out ep));
        Assert.Equal(new DnsEndPoint("example.com", 443, AddressFamily.InterNetworkV6), ep);
        Assert.True(Multiaddr.Parse("/dns/localhost/tcp/8080").TryGetTcpEndpoint(out host, out port, out family));
        Assert.Equal(("localhost", 8080, AddressFamily.Unspecified), (host, port, family));
    }

    [Theory]
    [InlineData("/ip4/127.0.0.1/udp/4001/quic-v1")]
    [InlineData("/ip4/1.2.3.4/tcp/1/ws")]
    [InlineData("/ip4/1.2.3.4")]
    [InlineData("/tcp/1")]
    [InlineData("/")]
    [InlineData("/dnsaddr/bootstrap.libp2p.io")]
    [InlineData("/dnsaddr/bootstrap.libp2p.io/tcp/1")]
    [InlineData("/p2p/" + PeerBase58)]
    [InlineData("/ip4/1.2.3.4/tcp/1/p2p/" + PeerBase58 + "/p2p-circuit")]
    [InlineData("/ip4/1.2.3.4/tcp/1/tcp/2")]
    public void Not_plain_tcp(string text)
    {
        var ma = Multiaddr.Parse(text);
        Assert.False(ma.TryGetTcpEndpoint(out string _, out _, out _));
        Assert.False(ma.TryGetTcpEndpoint(out EndPoint? _));
    }

    [Fact]
    public void From_tcp_endpoint()
    {
        Assert.Equal("/ip4/127.0.0.1/tcp/4001", Multiaddr.FromTcpEndpoint(new IPEndPoint(IPAddress.Loopback, 4001)).ToString());
        Assert.Equal("/ip6/::1/tcp/65535", Multiaddr.FromTcpEndpoint(new IPEndPoint(IPAddress.IPv6Loopback, 65535)).ToString());
        Assert.Equal("/ip4/10.0.0.1/tcp/0", Multiaddr.FromTcpEndpoint(new IPEndPoint(IPAddress.Parse("::ffff:10.0.0.1"), 0)).ToString());
        Assert.Equal("/ip6/fe80::1/tcp/1", Multiaddr.FromTcpEndpoint(new IPEndPoint(IPAddress.Parse("fe80::1%2"), 1)).ToString());
    }

    [Fact]
    public void Peer_id_is_the_last_p2p_after_the_last_circuit()
    {
        var expected = Convert.FromHexString(PeerMultihashHex);
        Assert.Equal(expected, Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001/p2p/" + PeerBase58).PeerIdMultihash!.Value.ToArray());
        Assert.Null(Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001").PeerIdMultihash);
        Assert.Null(Multiaddr.Parse($"/ip4/1.2.3.4/tcp/1/p2p/{PeerBase58}/p2p-circuit").PeerIdMultihash);
        Assert.Equal(
            expected,
            Multiaddr.Parse($"/ip4/1.2.3.4/tcp/1/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N/p2p-circuit/p2p/{PeerBase58}").PeerIdMultihash!.Value.ToArray());
    }

    [Fact]
    public void With_peer_id_appends_or_replaces_the_trailing_p2p()
    {
        var multihash = Convert.FromHexString(PeerMultihashHex);
        var tcp = Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001");
        var expected = "/ip4/127.0.0.1/tcp/4001/p2p/" + PeerBase58;
        Assert.Equal(expected, tcp.WithPeerIdMultihash(multihash).ToString());
        Assert.Equal(expected, Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N").WithPeerIdMultihash(multihash).ToString());
        Assert.Equal(
            $"/ip4/1.2.3.4/tcp/1/p2p/{PeerBase58}/p2p-circuit/p2p/{PeerBase58}",
            Multiaddr.Parse($"/ip4/1.2.3.4/tcp/1/p2p/{PeerBase58}/p2p-circuit").WithPeerIdMultihash(multihash).ToString());
        Assert.Throws<MultiaddrFormatException>(() => tcp.WithPeerIdMultihash([0x00, 0x05, 0x01]));
    }

    [Fact]
    public void Peer_id_property_and_with_peer_id_use_the_peers_type()
    {
        var peer = PeerId.Parse(PeerBase58);
        var ma = Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001/p2p/" + PeerCid);
        Assert.Equal(peer, ma.PeerId);
        Assert.Null(Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001").PeerId);
        Assert.Equal(ma, Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001").WithPeerId(peer));
        Assert.Equal(ma, ma.WithPeerId(peer));
        Assert.Throws<ArgumentException>(() => ma.WithPeerId(default));

        // Every vector peer id (js @libp2p/peer-id) makes a /p2p/ component whose text is the base58 id.
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "libp2p-vectors.json")));
        foreach (var v in json.RootElement.GetProperty("peerIds").EnumerateArray())
        {
            var withId = Multiaddr.Empty.WithPeerIdMultihash(Convert.FromHexString(v.GetProperty("peerIdMultihash").GetString()!));
            Assert.Equal("/p2p/" + v.GetProperty("peerIdBase58").GetString(), withId.ToString());
            Assert.Equal(withId, Multiaddr.Parse("/p2p/" + v.GetProperty("peerIdCidBase32").GetString()));
        }
    }

    [Fact]
    public void Equality_is_by_bytes()
    {
        var a = Multiaddr.Parse("/ipfs/" + PeerBase58);
        var b = Multiaddr.Parse("/p2p/" + PeerCid);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a != Multiaddr.Parse("/ip4/127.0.0.1"));
        Assert.False(a.Equals(null));
        Assert.Equal(a.Components[0], b.Components[0]);
    }

    [Fact]
    public void Protocol_lookup_by_name_alias_and_code()
    {
        Assert.True(MultiaddrProtocol.TryGet("ipfs", out var p2p));
        Assert.Same(MultiaddrProtocol.P2p, p2p);
        Assert.True(MultiaddrProtocol.TryGet(421, out p2p));
        Assert.Same(MultiaddrProtocol.P2p, p2p);
        Assert.Equal("p2p", p2p.Name);
        // protocols.csv codes.
        Assert.Equal(
            [4, 6, 273, 53, 54, 55, 56, 41, 421, 480, 443, 448, 477, 478, 461, 290, 454, 465],
            new[] { "ip4", "tcp", "udp", "dns", "dns4", "dns6", "dnsaddr", "ip6", "p2p", "http", "https", "tls", "ws", "wss", "quic-v1", "p2p-circuit", "noise", "webtransport" }
                .Select(n => MultiaddrProtocol.TryGet(n, out var p) ? p.Code : -1));
        Assert.False(MultiaddrProtocol.TryGet("TCP", out _));
    }
}
