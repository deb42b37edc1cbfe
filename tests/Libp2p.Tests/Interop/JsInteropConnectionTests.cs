using System.Text.Json.Nodes;
using Granary.Libp2p.Host;
using Granary.Libp2p.Identify;
using static Granary.Libp2p.Tests.HostTestKit;

namespace Granary.Libp2p.Tests.Interop;

/// <summary>Connections with js-libp2p 3.3.11 in both directions: ping, identify, both muxer negotiation paths, IPv6.</summary>
[Collection(JsInteropCollection.Name)]
public sealed class JsInteropConnectionTests(JsPeerFixture fixture)
{
    private static readonly string[] JsProtocols = ["/echo-lp/1.0.0", Echo, IdentifyProtocol.Id, PingProtocol.Id, JsInterop.Sink];

    private JsPeer Js => fixture.Js;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WeDialJsAndPing(bool ipv6)
    {
        await using var host = await JsInterop.StartHostAsync();
        var address = ipv6 ? Js.Ip6Address : Js.Ip4Address;

        var rtt = await host.PingAsync(address).Guarded();

        Assert.InRange(rtt, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5));
        var connection = Assert.Single(host.Connections);
        Assert.Equal(Js.PeerId, connection.RemotePeer);
        Assert.Equal(ConnectionDirection.Outbound, connection.Direction);
        Assert.Equal(address, connection.RemoteAddress);
        Assert.True(connection.MuxerNegotiatedInline, "js announces stream_muxers, and so do we by default");

        // js's view of the same connection.
        var peers = await Js.RunAsync("peers").Guarded();
        var ours = peers["peers"]!.AsArray().Single(p => p!["remotePeer"]!.GetValue<string>() == host.PeerId.ToString())!;
        Assert.Equal("inbound", ours["direction"]!.GetValue<string>());
        Assert.Equal("/yamux/1.0.0", ours["muxer"]!.GetValue<string>());
        Assert.Equal("/noise", ours["encryption"]!.GetValue<string>());
        Assert.StartsWith(ipv6 ? "/ip6/::1/tcp/" : "/ip4/127.0.0.1/tcp/", ours["remoteAddr"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task JsDialsUsAndPings(bool ipv6)
    {
        await using var host = await JsInterop.StartHostAsync();

        var reply = await Js.RunAsync("ping", new { addr = host.Address(ipv6) }).Guarded();

        Assert.Equal(host.PeerId.ToString(), reply["remotePeer"]!.GetValue<string>());
        Assert.InRange(reply["rtt"]!.GetValue<double>(), 0, 5000);
        await EventuallyAsync(() => host.Connections.Count == 1, what: "js's connection is registered");
        var connection = Assert.Single(host.Connections);
        Assert.Equal(ConnectionDirection.Inbound, connection.Direction);
        Assert.Equal(Js.PeerId, connection.RemotePeer);
        Assert.StartsWith(ipv6 ? "/ip6/::1/tcp/" : "/ip4/127.0.0.1/tcp/", connection.RemoteAddress.ToString());

        // And back over js's connection: we reuse it instead of dialling.
        var back = await host.PingAsync(Js.PeerId).Guarded();
        Assert.InRange(back, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5));
        Assert.Same(connection, Assert.Single(host.Connections));
    }

    [Fact]
    public async Task JsIdentifiesUsWhenWeDial()
    {
        await using var host = await JsInterop.StartHostAsync();
        await host.DialAsync(Js.Ip4Address).Guarded();

        // js ran identify on its inbound connection from us.
        var reply = await Js.RunAsync("identifyLocal", new { peer = host.PeerId.ToString() }).Guarded();
        var entry = Assert.Single(reply["peers"]!.AsArray())!;
        Assert.True(entry["ok"]!.GetValue<bool>(), entry.ToJsonString());
        AssertJsSawUs(host, entry);
        Assert.Equal("inbound", entry["direction"]!.GetValue<string>());
    }

    [Fact]
    public async Task JsIdentifiesUsWhenItDials()
    {
        await using var host = await JsInterop.StartHostAsync();

        var reply = await Js.RunAsync("identify", new { addr = host.Address() }).Guarded();

        Assert.Equal(host.PeerId.ToString(), reply["remotePeer"]!.GetValue<string>());
        Assert.Equal("outbound", reply["direction"]!.GetValue<string>());
        AssertJsSawUs(host, reply);

        // The observed address we reported is js's end of its connection to us.
        await EventuallyAsync(() => host.Connections.Count == 1);
        Assert.Equal(Assert.Single(host.Connections).RemoteAddress.ToString().Split("/p2p/")[0], reply["observedAddr"]!.GetValue<string>());

        // An explicit second run (a new identify stream on the same connection) gives the same answer.
        var again = await Js.RunAsync("identify", new { addr = host.Address(), @explicit = true }).Guarded();
        AssertJsSawUs(host, again);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WeIdentifyJs(bool weDial)
    {
        await using var host = await JsInterop.StartHostAsync();
        if (weDial)
        {
            await host.DialAsync(Js.Ip4Address).Guarded();
        }
        else
        {
            await Js.RunAsync("dial", new { addr = host.Address() }).Guarded();
            await EventuallyAsync(() => host.Connections.Count == 1);
        }

        var info = await host.IdentifyAsync(Js.PeerId).Guarded();

        Assert.Equal(Js.PeerId, info.PeerId);
        Assert.StartsWith("js-libp2p/3.3.11 ", info.AgentVersion);
        Assert.Equal("ipfs/0.1.0", info.ProtocolVersion);
        Assert.Equal(Js.PeerId, info.PublicKey.ToPeerId());
        foreach (var protocol in JsProtocols)
        {
            Assert.Contains(protocol, info.Protocols);
        }

        Assert.Contains(info.ListenAddrs, a => a.ToString() == Js.Ip4Address.ToString().Split("/p2p/")[0]);
        Assert.Contains(info.ListenAddrs, a => a.ToString() == Js.Ip6Address.ToString().Split("/p2p/")[0]);
        var connection = Assert.Single(host.Connections);
        Assert.Same(info, connection.Identify);

        // js reports what it sees of us: our end of the connection (js adds /p2p/<our id>).
        Assert.NotNull(info.ObservedAddr);
        Assert.StartsWith(connection.LocalAddress.ToString(), info.ObservedAddr!.ToString());
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task BothMuxerNegotiationPathsCarryPingAndEcho(bool inlined, bool weDial)
    {
        await using var host = await JsInterop.StartHostAsync(Quiet with { InlineMuxerNegotiation = inlined });
        Libp2pConnection connection;
        if (weDial)
        {
            connection = await host.DialAsync(Js.Ip4Address).Guarded();
            await host.PingAsync(Js.Ip4Address).Guarded();
            var data = JsInterop.Bytes(200_000, 1);
            await using var stream = await host.NewStreamAsync(Js.Ip4Address, Echo).Guarded();
            Assert.Equal(data, await RoundTripAsync(stream, data));
        }
        else
        {
            var dial = await Js.RunAsync("dial", new { addr = host.Address() }).Guarded();
            Assert.Equal("/yamux/1.0.0", dial["muxer"]!.GetValue<string>());
            await Js.RunAsync("ping", new { addr = host.Address() }).Guarded();
            var echo = await Js.RunAsync("echo", new { addr = host.Address(), bytes = 200_000, seed = 1 }).Guarded();
            Assert.True(echo["equal"]!.GetValue<bool>(), echo.ToJsonString());
            await EventuallyAsync(() => host.Connections.Count == 1);
            connection = Assert.Single(host.Connections);
        }

        Assert.Equal(inlined, connection.MuxerNegotiatedInline);
        Assert.Equal("/yamux/1.0.0", connection.Muxer);
        Assert.Same(connection, Assert.Single(host.Connections));
    }

    private static void AssertJsSawUs(Libp2pHost host, JsonNode identify)
    {
        Assert.StartsWith("granary/", identify["agentVersion"]!.GetValue<string>());
        Assert.Equal("ipfs/0.1.0", identify["protocolVersion"]!.GetValue<string>());
        var protocols = identify["protocols"]!.AsArray().Select(p => p!.GetValue<string>()).ToArray();
        foreach (var protocol in new[] { IdentifyProtocol.Id, PingProtocol.Id, Echo, JsInterop.Sink })
        {
            Assert.Contains(protocol, protocols);
        }

        Assert.Equal(Convert.ToHexStringLower(host.PublicKey().ToProtobuf()), identify["publicKey"]!.GetValue<string>());
        var listenAddrs = identify["listenAddrs"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray();
        foreach (var address in host.ListenAddresses)
        {
            Assert.Contains(address.ToString(), listenAddrs);
        }
    }
}
