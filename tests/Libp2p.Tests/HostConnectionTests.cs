using System.Diagnostics;
using System.Net.Sockets;
using Granary.Libp2p.Host;
using Granary.Libp2p.Identify;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Noise;
using Granary.Libp2p.Peers;
using static Granary.Libp2p.Tests.HostTestKit;

namespace Granary.Libp2p.Tests;

public class HostConnectionTests
{
    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/0")]
    [InlineData("/ip6/::1/tcp/0")]
    public async Task DialIdentifiesBothWaysAndPings(string listen)
    {
        await using var listener = await StartAsync(Quiet with { AgentVersion = "granary-test/listener" }, listen);
        await using var dialer = await StartAsync(Quiet with { AgentVersion = "granary-test/dialer" }, listen);
        dialer.SetHandler("/only-dialer/1.0.0", EchoAsync);

        var connection = await dialer.DialAsync(AddressOf(listener)).Guarded();
        Assert.Equal(listener.PeerId, connection.RemotePeer);
        Assert.Equal(listener.PublicKey(), connection.RemotePublicKey);
        Assert.Equal(ConnectionDirection.Outbound, connection.Direction);
        Assert.Equal("/noise", connection.Security);
        Assert.Equal("/yamux/1.0.0", connection.Muxer);
        Assert.True(connection.MuxerNegotiatedInline);
        Assert.Equal(AddressOf(listener), connection.RemoteAddress);

        // The dialer's view of the listener.
        var ofListener = await dialer.IdentifyAsync(listener.PeerId).Guarded();
        Assert.Equal(listener.PeerId, ofListener.PeerId);
        Assert.Equal("granary-test/listener", ofListener.AgentVersion);
        Assert.Equal("ipfs/0.1.0", ofListener.ProtocolVersion);
        Assert.Equal(listener.PublicKey(), ofListener.PublicKey);
        Assert.Contains(listener.ListenAddresses[0], ofListener.ListenAddrs);
        Assert.Equal(new[] { Echo, IdentifyProtocol.Id, IdentifyProtocol.PushId, PingProtocol.Id }, ofListener.Protocols);
        Assert.Equal(connection.LocalAddress, ofListener.ObservedAddr);

        // The listener ran identify towards the dialer too, on its inbound connection.
        await EventuallyAsync(() => listener.Connections.Count == 1);
        var inbound = Assert.Single(listener.Connections);
        Assert.Equal(ConnectionDirection.Inbound, inbound.Direction);
        Assert.Equal(dialer.PeerId, inbound.RemotePeer);
        Assert.Equal(connection.LocalAddress.WithPeerIdMultihash(dialer.PeerId.Multihash.Span), inbound.RemoteAddress);
        var ofDialer = await listener.IdentifyAsync(dialer.PeerId).Guarded();
        Assert.Equal("granary-test/dialer", ofDialer.AgentVersion);
        Assert.Contains("/only-dialer/1.0.0", ofDialer.Protocols);
        Assert.Equal(listener.ListenAddresses[0], ofDialer.ObservedAddr);
        Assert.Same(ofDialer, inbound.Identify);

        var rtt = await dialer.PingAsync(AddressOf(listener)).Guarded();
        Assert.InRange(rtt, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5));
        var back = await listener.PingAsync(dialer.PeerId).Guarded();
        Assert.InRange(back, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5));
        Assert.Single(dialer.Connections);
        Assert.Single(listener.Connections);
    }

    [Fact]
    public async Task SequentialAndConcurrentStreamsToOnePeerShareOneConnection()
    {
        await using var listener = await StartAsync();
        await using var dialer = await StartAsync();
        var address = AddressOf(listener);

        await using (var first = await dialer.NewStreamAsync(address, Echo).Guarded())
        await using (var second = await dialer.NewStreamAsync(address, Echo).Guarded())
        {
            Assert.Same(first.Connection, second.Connection);
            Assert.NotEqual(first.StreamId, second.StreamId);
        }

        var dials = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => dialer.DialAsync(address))).Guarded();
        Assert.Single(dials.Distinct());
        Assert.Single(dialer.Connections);
        await EventuallyAsync(() => listener.Connections.Count == 1);
        await Task.Delay(100);
        Assert.Single(listener.Connections);

        // By peer id: the same connection, no address needed.
        await using var byPeer = await dialer.NewStreamAsync(listener.PeerId, Echo).Guarded();
        Assert.Same(dials[0], byPeer.Connection);
    }

    [Fact]
    public async Task AnAddressWithoutPeerIdDialsAfreshAndLearnsThePeer()
    {
        await using var listener = await StartAsync();
        await using var dialer = await StartAsync();
        var a = await dialer.DialAsync(listener.ListenAddresses[0]).Guarded();
        var b = await dialer.DialAsync(listener.ListenAddresses[0]).Guarded();
        Assert.NotSame(a, b);
        Assert.Equal(listener.PeerId, a.RemotePeer);
        Assert.Equal(2, dialer.Connections.Count);
        await EventuallyAsync(() => listener.Connections.Count == 2);
    }

    [Fact]
    public async Task DialFreshAlwaysOpensANewConnectionAndStillChecksThePeer()
    {
        await using var listener = await StartAsync();
        await using var dialer = await StartAsync();
        var reused = await dialer.DialAsync(AddressOf(listener)).Guarded();
        var fresh = await dialer.DialFreshAsync(AddressOf(listener)).Guarded();
        Assert.NotSame(reused, fresh);
        Assert.Equal(2, dialer.Connections.Count);
        var wrong = listener.ListenAddresses[0].WithPeerIdMultihash(Identity.Generate().PeerId.Multihash.Span);
        await Assert.ThrowsAsync<Libp2pDialException>(() => dialer.DialFreshAsync(wrong).Guarded());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task WhenThePeerClosesTheConnectionTheNextStreamRedials(int run)
    {
        await using var listener = await StartAsync();
        await using var dialer = await StartAsync();
        var first = await dialer.DialAsync(AddressOf(listener)).Guarded();
        await EventuallyAsync(() => listener.Connections.Count == 1);
        var closing = Assert.Single(listener.Connections).CloseAsync();
        if (run == 1)
        {
            await closing.Guarded();
        }
        else if (run == 2)
        {
            await first.Closed.Guarded();
        }

        await using var stream = await dialer.NewStreamAsync(AddressOf(listener), Echo).Guarded();
        Assert.NotSame(first, stream.Connection);
        Assert.Equal("again"u8.ToArray(), await RoundTripAsync(stream, "again"u8.ToArray()));
        await closing.Guarded();
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(false, true, false)]
    [InlineData(true, false, false)]
    [InlineData(false, false, false)]
    public async Task TheMuxerIsInlinedOnlyWhenBothSidesAnnounceIt(bool dialerInlines, bool listenerInlines, bool inlined)
    {
        await using var listener = await StartAsync(Quiet with { InlineMuxerNegotiation = listenerInlines });
        await using var dialer = await StartAsync(Quiet with { InlineMuxerNegotiation = dialerInlines });
        await using var stream = await dialer.NewStreamAsync(AddressOf(listener), Echo).Guarded();
        Assert.Equal(inlined, stream.Connection.MuxerNegotiatedInline);
        await EventuallyAsync(() => listener.Connections.Count == 1);
        Assert.Equal(inlined, Assert.Single(listener.Connections).MuxerNegotiatedInline);
        Assert.Equal("hello"u8.ToArray(), await RoundTripAsync(stream, "hello"u8.ToArray()));
        Assert.Equal("granary/", (await dialer.IdentifyAsync(listener.PeerId).Guarded()).AgentVersion![..8]);
    }

    [Fact]
    public async Task DialingTheWrongPeerIdFailsClearlyAndKeepsNoConnection()
    {
        var logs = new HostLogCapture();
        await using var listener = await StartAsync(logs: logs);
        await using var dialer = await StartAsync();
        var impostor = Identity.Generate().PeerId;
        var address = listener.ListenAddresses[0].WithPeerIdMultihash(impostor.Multihash.Span);

        var error = await Assert.ThrowsAsync<Libp2pDialException>(() => dialer.DialAsync(address).Guarded());
        Assert.IsType<NoiseHandshakeException>(error.InnerException);
        Assert.Contains(listener.PeerId.ToString(), error.Message);
        Assert.Contains(impostor.ToString(), error.Message);
        Assert.Equal(address, error.Address);
        Assert.Empty(dialer.Connections);
        await EventuallyAsync(() => logs.Has(3204), what: "the listener logs the failed inbound handshake");
        Assert.Empty(listener.Connections);

        // The right id still works afterwards.
        await dialer.DialAsync(AddressOf(listener)).Guarded();
    }

    [Fact]
    public async Task DialingOneselfOrAClosedPortFailsWithADialException()
    {
        await using var host = await StartAsync();
        var self = await Assert.ThrowsAsync<Libp2pDialException>(() => host.DialAsync(AddressOf(host)).Guarded());
        Assert.Contains("own peer id", self.Message);

        using var probe = new TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var refused = await Assert.ThrowsAsync<Libp2pDialException>(() => host.DialAsync(Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}")).Guarded());
        Assert.IsType<SocketException>(refused.InnerException);
        Assert.Empty(host.Connections);

        await Assert.ThrowsAsync<ArgumentException>(() => host.DialAsync(Multiaddr.Parse("/ip4/127.0.0.1/udp/1/quic-v1")).Guarded());
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.NewStreamAsync(Identity.Generate().PeerId, Echo).Guarded());
    }

    [Fact]
    public async Task EventsReportOpenIdentifyAndClose()
    {
        await using var listener = await StartAsync();
        await using var dialer = await StartAsync();
        var opened = new TaskCompletionSource<Libp2pConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        var identified = new TaskCompletionSource<IdentifyInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        var closed = new TaskCompletionSource<Libp2pConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.ConnectionOpened += (_, c) => opened.TrySetResult(c);
        listener.PeerIdentified += (_, i) => identified.TrySetResult(i);
        listener.ConnectionClosed += (_, c) => closed.TrySetResult(c);
        listener.ConnectionOpened += (_, _) => throw new InvalidOperationException("a broken subscriber must not break the host");

        var connection = await dialer.DialAsync(AddressOf(listener)).Guarded();
        Assert.Equal(dialer.PeerId, (await opened.Task.Guarded()).RemotePeer);
        Assert.Equal(dialer.PeerId, (await identified.Task.Guarded()).PeerId);

        var ofListener = await dialer.IdentifyAsync(listener.PeerId).Guarded();
        await connection.CloseAsync().Guarded();
        Assert.False(connection.IsOpen);
        Assert.Empty(dialer.Connections);
        Assert.Equal(dialer.PeerId, (await closed.Task.Guarded()).RemotePeer);
        Assert.Empty(listener.Connections);

        // The identify result outlives the connection; a new dial runs identify again.
        Assert.Same(ofListener, await dialer.IdentifyAsync(listener.PeerId).Guarded());
        Assert.NotSame(connection, await dialer.DialAsync(AddressOf(listener)).Guarded());
    }

    [Fact]
    public async Task AnIdleConnectionIsClosedButNotWhileAStreamIsOpen()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var logs = new HostLogCapture();
        await using var listener = await StartAsync(Quiet with { IdleTimeout = TimeSpan.FromMilliseconds(300) }, logs: logs);
        listener.SetHandler("/hold/1.0.0", async (s, ct) => await release.Task.WaitAsync(ct));
        await using var dialer = await StartAsync();

        var held = await dialer.NewStreamAsync(AddressOf(listener), "/hold/1.0.0").Guarded();
        var clock = Stopwatch.StartNew();
        await Task.Delay(1200);
        Assert.True(held.Connection.IsOpen, "a connection with an open stream is not idle");

        release.SetResult();
        await held.DisposeAsync();
        await held.Connection.Closed.Guarded();
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(1200), TimeSpan.FromSeconds(10));
        Assert.True(logs.Has(3207), logs.Dump());
        await EventuallyAsync(() => listener.Connections.Count == 0 && dialer.Connections.Count == 0);
    }

    [Fact]
    public async Task DisposeClosesEveryConnectionWithinTheShutdownBound()
    {
        var host = await StartAsync(Quiet with { ShutdownTimeout = TimeSpan.FromSeconds(2) });
        var handlerCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.SetHandler("/hang/1.0.0", async (s, ct) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            finally
            {
                handlerCancelled.TrySetResult();
            }
        });
        await using var b = await StartAsync();
        await using var c = await StartAsync();
        var streams = new[]
        {
            await b.NewStreamAsync(AddressOf(host), "/hang/1.0.0").Guarded(),
            await c.NewStreamAsync(AddressOf(host), "/hang/1.0.0").Guarded(),
            await c.NewStreamAsync(AddressOf(host), Echo).Guarded(),
        };
        await EventuallyAsync(() => host.Connections.Count == 2);

        var clock = Stopwatch.StartNew();
        await host.DisposeAsync().Guarded();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"dispose took {clock.Elapsed}");
        await handlerCancelled.Task.Guarded();
        Assert.Empty(host.Connections);
        await EventuallyAsync(() => b.Connections.Count == 0 && c.Connections.Count == 0);
        foreach (var stream in streams)
        {
            await Assert.ThrowsAnyAsync<IOException>(async () => await stream.ReadAsync(new byte[1]).Guarded());
        }

        // The listener is gone and the host refuses new work.
        await Assert.ThrowsAsync<Libp2pDialException>(() => b.DialAsync(AddressOf(host)).Guarded());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => host.DialAsync(AddressOf(b)).Guarded());
        await host.DisposeAsync();
    }
}

internal static class HostPeerKeys
{
    /// <summary>The public key a host proves in its handshakes (through its identify self-description).</summary>
    public static PublicKey PublicKey(this Libp2pHost host) => host.PeerId.TryExtractPublicKey()!;
}
