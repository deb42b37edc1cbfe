using System.Net;
using System.Net.Sockets;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Transport;
using static Granary.Libp2p.Tests.HostTestKit;

namespace Granary.Libp2p.Tests;

public class TcpTransportTests
{
    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/tcp/")]
    [InlineData("/ip6/::1/tcp/0", "/ip6/::1/tcp/")]
    public async Task PortZeroListensOnARealPortThatAcceptsWithNagleOff(string listen, string prefix)
    {
        using var listener = TcpTransport.Listen(Multiaddr.Parse(listen));
        var text = listener.ListenAddress.ToString();
        Assert.StartsWith(prefix, text);
        var port = int.Parse(text[prefix.Length..]);
        Assert.NotEqual(0, port);

        var accept = listener.AcceptAsync(CancellationToken.None).AsTask();
        using var dialled = await TcpTransport.ConnectAsync(listener.ListenAddress, TimeSpan.FromSeconds(5), CancellationToken.None).Guarded();
        using var accepted = await accept.Guarded();
        Assert.True(dialled.NoDelay);
        Assert.True(accepted.NoDelay);
        Assert.Equal(((IPEndPoint)dialled.LocalEndPoint!).Port, ((IPEndPoint)accepted.RemoteEndPoint!).Port);
    }

    [Fact]
    public async Task DnsNamesAreResolvedAtDialTime()
    {
        using var listener = TcpTransport.Listen(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"));
        listener.ListenAddress.TryGetTcpEndpoint(out _, out var port, out _);
        foreach (var name in new[] { "dns4", "dns" })
        {
            var accept = listener.AcceptAsync(CancellationToken.None).AsTask();
            using var socket = await TcpTransport.ConnectAsync(Multiaddr.Parse($"/{name}/localhost/tcp/{port}"), TimeSpan.FromSeconds(5), CancellationToken.None).Guarded();
            using var accepted = await accept.Guarded();
            Assert.Equal(IPAddress.Loopback, ((IPEndPoint)socket.RemoteEndPoint!).Address);
        }

        await Assert.ThrowsAnyAsync<SocketException>(() => TcpTransport.ConnectAsync(Multiaddr.Parse("/dns4/no-such-host.invalid/tcp/1"), TimeSpan.FromSeconds(10), CancellationToken.None).Guarded());
    }

    [Fact]
    public async Task TheHostDialsDnsAddressesToo()
    {
        await using var listener = await StartAsync();
        await using var dialer = await StartAsync();
        listener.ListenAddresses[0].TryGetTcpEndpoint(out _, out var port, out _);
        var byName = Multiaddr.Parse($"/dns4/localhost/tcp/{port}").WithPeerIdMultihash(listener.PeerId.Multihash.Span);
        var connection = await dialer.DialAsync(byName).Guarded();
        Assert.Equal(listener.PeerId, connection.RemotePeer);
        Assert.Equal(AddressOf(listener), connection.RemoteAddress);
    }

    [Fact]
    public void Ipv4AndIpv6WildcardsBindSideBySideOnOnePort()
    {
        using var v4 = TcpTransport.Listen(Multiaddr.Parse("/ip4/0.0.0.0/tcp/0"));
        v4.ListenAddress.TryGetTcpEndpoint(out _, out var port, out _);
        using var v6 = TcpTransport.Listen(Multiaddr.Parse($"/ip6/::/tcp/{port}"));
        Assert.Equal($"/ip6/::/tcp/{port}", v6.ListenAddress.ToString());

        var error = Assert.Throws<SocketException>(() => TcpTransport.Listen(Multiaddr.Parse($"/ip4/0.0.0.0/tcp/{port}")));
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }

    [Theory]
    [InlineData("/dns4/localhost/tcp/0")]
    [InlineData("/ip4/127.0.0.1/udp/0")]
    [InlineData("/ip4/127.0.0.1/tcp/0/p2p/12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5")]
    public void OnlyIpTcpAddressesCanBeListenedOn(string address) =>
        Assert.Throws<ArgumentException>(() => TcpTransport.Listen(Multiaddr.Parse(address)));

    [Fact]
    public async Task ARefusedOrNonTcpDialFailsWithTheCause()
    {
        int port;
        using (var probe = TcpTransport.Listen(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")))
        {
            probe.ListenAddress.TryGetTcpEndpoint(out _, out port, out _);
        }

        var refused = await Assert.ThrowsAsync<SocketException>(() => TcpTransport.ConnectAsync(Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}"), TimeSpan.FromSeconds(5), CancellationToken.None).Guarded());
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        await Assert.ThrowsAsync<ArgumentException>(() => TcpTransport.ConnectAsync(Multiaddr.Parse("/ip4/127.0.0.1/udp/1"), TimeSpan.FromSeconds(5), CancellationToken.None));
    }

    [Fact]
    public async Task ListenAddressesReportTheBoundPortsAndWildcardsAreAnnouncedPerInterface()
    {
        await using var host = new Granary.Libp2p.Host.Libp2pHost(Granary.Libp2p.Peers.Identity.Generate(), Quiet);
        await host.StartAsync([Multiaddr.Parse("/ip4/0.0.0.0/tcp/0"), Multiaddr.Parse("/ip6/::1/tcp/0")]).Guarded();
        Assert.Equal(2, host.ListenAddresses.Count);
        Assert.StartsWith("/ip4/0.0.0.0/tcp/", host.ListenAddresses[0].ToString());
        Assert.DoesNotContain("/tcp/0", host.ListenAddresses.Select(a => a.ToString() + "/"));
        host.ListenAddresses[0].TryGetTcpEndpoint(out _, out var port, out _);
        Assert.Contains(Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}"), host.AdvertisedAddresses);
        Assert.Contains(host.ListenAddresses[1], host.AdvertisedAddresses);
        Assert.DoesNotContain(host.ListenAddresses[0], host.AdvertisedAddresses);
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync([Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")]));
    }
}
