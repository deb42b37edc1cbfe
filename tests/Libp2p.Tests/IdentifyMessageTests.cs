using Granary.Libp2p.Identify;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;

namespace Granary.Libp2p.Tests;

public class IdentifyMessageTests
{
    // Encoded by js-libp2p's own codec (@libp2p/identify 4.1.14 dist/src/pb/message.js, Identify.encode) from:
    // protocolVersion "ipfs/0.1.0", agentVersion "js-libp2p/3.3.11 node/22.23.3", publicKey = the peer-ids spec
    // Ed25519 key, listenAddrs [/ip4/127.0.0.1/tcp/4001, /ip6/::1/tcp/4002], observedAddr /ip4/192.0.2.42/tcp/443,
    // protocols [/echo/1.0.0, /ipfs/id/1.0.0, /ipfs/ping/1.0.0], signedPeerRecord 0a0b0c. js writes field 5 first.
    internal const string JsVector =
        "2a0a697066732f302e312e30321d6a732d6c69627032702f332e332e3131206e6f64652f32322e32332e330a24080112201ed1e8fae2c4a1" +
        "44b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e1208047f000001060fa112142900000000000000000000000000000001060f" +
        "a2220804c000022a0601bb1a0b2f6563686f2f312e302e301a0e2f697066732f69642f312e302e301a102f697066732f70696e672f312e30" +
        "2e3042030a0b0c";

    internal const string SpecPublicKey = "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";

    private static readonly PublicKey SpecKey = PublicKey.FromProtobuf(Convert.FromHexString(SpecPublicKey));

    [Fact]
    public void DecodesTheMessageJsEncodes()
    {
        var message = IdentifyMessage.Decode(Convert.FromHexString(JsVector), 8192);
        Assert.Equal("ipfs/0.1.0", message.ProtocolVersion);
        Assert.Equal("js-libp2p/3.3.11 node/22.23.3", message.AgentVersion);
        Assert.Equal(SpecPublicKey, Convert.ToHexStringLower(message.PublicKey!));
        Assert.Equal(["047f000001060fa1", "2900000000000000000000000000000001060fa2"], message.ListenAddrs!.Select(Convert.ToHexStringLower));
        Assert.Equal("04c000022a0601bb", Convert.ToHexStringLower(message.ObservedAddr!));
        Assert.Equal(["/echo/1.0.0", "/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"], message.Protocols!);
        Assert.Equal("0a0b0c", Convert.ToHexStringLower(message.SignedPeerRecord!));

        var info = IdentifyInfo.From(message, SpecKey, previous: null);
        Assert.Equal(SpecKey.ToPeerId(), info.PeerId);
        Assert.Equal([Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001"), Multiaddr.Parse("/ip6/::1/tcp/4002")], info.ListenAddrs);
        Assert.Equal(Multiaddr.Parse("/ip4/192.0.2.42/tcp/443"), info.ObservedAddr);
    }

    [Fact]
    public void EncodesTheSameFieldsInTagOrder()
    {
        // The js vector's fields, rearranged by tag number (protobuf allows any order; we write tag order).
        var js = Convert.FromHexString(JsVector);
        var fields = Split(js);
        var expected = fields.OrderBy(f => f.Tag).SelectMany(f => f.Bytes).ToArray();
        var message = IdentifyMessage.Decode(js, 8192);
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(message.Encode()));
    }

    [Fact]
    public void OurResponseCarriesWhatTheSpecAsksFor()
    {
        var identity = Identity.FromSeed(new byte[32]);
        var framed = IdentifyProtocol.BuildResponse(
            identity.PublicKey,
            "granary/test",
            [Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001")],
            Multiaddr.Parse("/ip4/192.0.2.42/tcp/443"),
            ["/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"],
            8192);

        // uvarint length prefix, then the message.
        Assert.Equal(framed.Length - 1, framed[0]);
        var body = framed[1..];
        Assert.Equal(
            "0a24" + "0801122" + "0" + Convert.ToHexStringLower(identity.PublicKey.Data.Span)
            + "1208047f000001060fa1"
            + "1a0e2f697066732f69642f312e302e30" + "1a102f697066732f70696e672f312e302e30"
            + "220804c000022a0601bb"
            + "2a0a697066732f302e312e30"
            + "320c" + Convert.ToHexStringLower("granary/test"u8),
            Convert.ToHexStringLower(body));
    }

    [Fact]
    public void ListenAddressesThatDoNotFitTheLimitAreLeftOut()
    {
        var identity = Identity.Generate();
        var addresses = Enumerable.Range(0, 200).Select(i => Multiaddr.Parse($"/ip4/10.0.{i / 250}.{i % 250}/tcp/4001")).ToArray();
        var framed = IdentifyProtocol.BuildResponse(identity.PublicKey, "a", addresses, null, ["/p/1"], 512);
        Assert.True(framed.Length <= 512 + 2);
        var message = IdentifyMessage.Decode(framed.AsSpan(2), 512);
        Assert.InRange(message.ListenAddrs!.Count, 1, 199);
        Assert.Equal(addresses.Take(message.ListenAddrs.Count).Select(a => a.ToBytes()), message.ListenAddrs);
        Assert.Throws<InvalidOperationException>(() =>
            IdentifyProtocol.BuildResponse(identity.PublicKey, new string('a', 600), [], null, [], 512));
    }

    [Fact]
    public void UnknownFieldsAreSkippedAndAbsentFieldsStayAbsent()
    {
        // field 7 varint, field 99 length-delimited, field 3 protocol, field 100 fixed32, field 101 fixed64.
        var bytes = Convert.FromHexString("3805" + "9a0603010203" + "1a032f612f" + "a5060102030" + "4" + "a90601020304050607" + "08");
        var message = IdentifyMessage.Decode(bytes, 8192);
        Assert.Equal(["/a/"], message.Protocols!);
        Assert.Null(message.ListenAddrs);
        Assert.Null(message.AgentVersion);
        Assert.Null(message.PublicKey);
    }

    [Theory]
    [InlineData("0a", "truncated key field")]
    [InlineData("0a05080112", "length past the end")]
    [InlineData("2805", "protocolVersion as a varint")]
    [InlineData("1a02c328", "protocol that is not UTF-8")]
    [InlineData("0b", "group wire type")]
    [InlineData("ffffffffffffffffffffff01", "varint overflow")]
    public void MalformedMessagesFailWithAProtocolException(string hex, string what)
    {
        var error = Assert.Throws<Libp2pProtocolException>(() => IdentifyMessage.Decode(Convert.FromHexString(hex), 8192));
        Assert.False(string.IsNullOrWhiteSpace(error.Message), what);
    }

    [Fact]
    public void OversizedValuesAndMessagesAreRefused()
    {
        var longProtocol = new Protobuf.ProtoWriter();
        longProtocol.WriteString(3, "/" + new string('p', 1024));
        Assert.Throws<Libp2pProtocolException>(() => IdentifyMessage.Decode(longProtocol.ToArray(), 8192));

        var longAgent = new Protobuf.ProtoWriter();
        longAgent.WriteString(6, new string('a', IdentifyMessage.MaxVersionLength + 1));
        Assert.Throws<Libp2pProtocolException>(() => IdentifyMessage.Decode(longAgent.ToArray(), 8192));

        var bigAddress = new Protobuf.ProtoWriter();
        bigAddress.WriteBytes(2, new byte[IdentifyMessage.MaxFieldBytes + 1]);
        Assert.Throws<Libp2pProtocolException>(() => IdentifyMessage.Decode(bigAddress.ToArray(), 64 * 1024));

        Assert.Throws<Libp2pProtocolException>(() => IdentifyMessage.Decode(Convert.FromHexString(JsVector), 100));
    }

    [Fact]
    public void APublicKeyOfAnotherPeerIsRejected()
    {
        var message = IdentifyMessage.Decode(Convert.FromHexString(JsVector), 8192);
        var other = Identity.Generate().PublicKey;
        var error = Assert.Throws<Libp2pProtocolException>(() => IdentifyInfo.From(message, other, previous: null));
        Assert.Contains(SpecKey.ToPeerId().ToString(), error.Message);
        Assert.Contains(other.ToPeerId().ToString(), error.Message);

        message.PublicKey = [0x08, 0x01, 0x12, 0x02, 0x01, 0x02];
        Assert.Throws<Libp2pProtocolException>(() => IdentifyInfo.From(message, SpecKey, previous: null));
    }

    [Fact]
    public void UnparsableAddressesAreSkippedAndAMissingKeyFallsBackToTheConnections()
    {
        var message = new IdentifyMessage
        {
            ListenAddrs = [Convert.FromHexString("047f000001060fa1"), Convert.FromHexString("ffff01"), Convert.FromHexString("047f000001060fa1")],
            ObservedAddr = Convert.FromHexString("04c0"),
        };
        var info = IdentifyInfo.From(message, SpecKey, previous: null);
        Assert.Equal([Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001")], info.ListenAddrs);
        Assert.Null(info.ObservedAddr);
        Assert.Equal(SpecKey, info.PublicKey);
        Assert.Empty(info.Protocols);
    }

    [Fact]
    public void APushReplacesOnlyTheFieldsItCarries()
    {
        var first = IdentifyInfo.From(IdentifyMessage.Decode(Convert.FromHexString(JsVector), 8192), SpecKey, previous: null);
        var push = new IdentifyMessage { Protocols = ["/new/1.0.0"] };
        var updated = IdentifyInfo.From(push, SpecKey, first);
        Assert.Equal(["/new/1.0.0"], updated.Protocols);
        Assert.Equal(first.AgentVersion, updated.AgentVersion);
        Assert.Equal(first.ListenAddrs, updated.ListenAddrs);
        Assert.Equal(first.ObservedAddr, updated.ObservedAddr);
    }

    [Fact]
    public void ConcatenatedMessagesMergeAsProtobufDoes()
    {
        var a = new IdentifyMessage { AgentVersion = "old", Protocols = ["/a"] }.Encode();
        var b = new IdentifyMessage { AgentVersion = "new", Protocols = ["/b"] }.Encode();
        var merged = IdentifyMessage.Decode([.. a, .. b], 8192);
        Assert.Equal("new", merged.AgentVersion);
        Assert.Equal(["/a", "/b"], merged.Protocols!);
    }

    // Splits a protobuf into (tag, raw field bytes) with an independent, minimal reader (all fields here are LEN).
    private static List<(int Tag, byte[] Bytes)> Split(byte[] message)
    {
        var fields = new List<(int, byte[])>();
        for (var offset = 0; offset < message.Length;)
        {
            var start = offset;
            var key = message[offset++];
            var length = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = message[offset++];
                length |= (b & 0x7f) << shift;
                if (b < 0x80)
                {
                    break;
                }
            }

            offset += length;
            fields.Add((key >> 3, message[start..offset]));
        }

        return fields;
    }
}
