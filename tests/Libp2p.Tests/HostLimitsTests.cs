using System.Diagnostics;
using System.Net.Sockets;
using Granary.Libp2p.Host;
using static Granary.Libp2p.Tests.HostTestKit;

namespace Granary.Libp2p.Tests;

/// <summary>Misbehaving peers and limits: each costs the offender its connection, never the host its service.</summary>
public class HostLimitsTests
{
    [Fact]
    public async Task ASilentPeerIsDroppedAfterTheHandshakeTimeoutWhileOthersAreServed()
    {
        var logs = new HostLogCapture();
        var timeout = TimeSpan.FromMilliseconds(600);
        await using var listener = await StartAsync(Quiet with { HandshakeTimeout = timeout }, logs: logs);
        await using var other = await StartAsync();

        using var silent = new TcpClient();
        await silent.ConnectAsync("127.0.0.1", listener.ListenAddresses[0].TcpPort()).Guarded();
        var clock = Stopwatch.StartNew();
        var ended = ReadUntilClosedAsync(silent.GetStream());

        // Served while the silent connection hangs in its handshake.
        await using (var stream = await other.NewStreamAsync(AddressOf(listener), Echo).Guarded())
        {
            Assert.Equal("busy"u8.ToArray(), await RoundTripAsync(stream, "busy"u8.ToArray()));
        }

        var received = await ended.Guarded();
        Assert.InRange(clock.Elapsed, timeout - TimeSpan.FromMilliseconds(100), timeout + TimeSpan.FromSeconds(5));
        Assert.Equal(20, received);
        await EventuallyAsync(() => logs.Has(3203), what: "the timeout is logged");
        Assert.Single(listener.Connections);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\nConnection: close\r\n\r\n")]
    [InlineData("\u00ff\u00ff\u00ff\u00ff")]
    [InlineData("\u0013/multistream/9.9.9\n")]
    [InlineData("\u0013/multistream/1.0.0\n\u0007/noise\n\u0000\u0005hello")]
    [InlineData("\u0013/multistream/1.0.0\n\u000b/tls/1.0.0\n")]
    public async Task GarbageFromAPeerClosesItsConnectionOnly(string garbage)
    {
        var logs = new HostLogCapture();
        await using var listener = await StartAsync(logs: logs);
        await using var other = await StartAsync();
        var healthy = await other.DialAsync(AddressOf(listener)).Guarded();

        using var rude = new TcpClient();
        await rude.ConnectAsync("127.0.0.1", listener.ListenAddresses[0].TcpPort()).Guarded();
        var bytes = garbage.Select(c => (byte)c).ToArray();
        await rude.GetStream().WriteAsync(bytes).Guarded();
        if (!garbage.Contains("/tls/"))
        {
            await ReadUntilClosedAsync(rude.GetStream()).Guarded();
            await EventuallyAsync(() => logs.Has(3204), what: "the failed handshake is logged");
        }
        else
        {
            // An unsupported security protocol is refused with na; the peer may try again, so it is not dropped yet.
            var answer = new byte[20 + 4];
            await rude.GetStream().ReadExactlyAsync(answer).Guarded();
            Assert.Equal("\u0003na\n"u8.ToArray(), answer[20..]);
        }

        await using var stream = await other.NewStreamAsync(AddressOf(listener), Echo).Guarded();
        Assert.Same(healthy, stream.Connection);
        Assert.Equal("fine"u8.ToArray(), await RoundTripAsync(stream, "fine"u8.ToArray()));
    }

    [Fact]
    public async Task InboundConnectionsOverTheLimitAreClosedAndTheSlotIsReusedLater()
    {
        var logs = new HostLogCapture();
        await using var listener = await StartAsync(Quiet with { MaxInboundConnections = 2 }, logs: logs);
        await using var a = await StartAsync();
        await using var b = await StartAsync();
        await using var c = await StartAsync();

        var first = await a.DialAsync(AddressOf(listener)).Guarded();
        await b.DialAsync(AddressOf(listener)).Guarded();
        await EventuallyAsync(() => listener.Connections.Count == 2);
        var refused = await Assert.ThrowsAsync<Libp2pDialException>(() => c.DialAsync(AddressOf(listener)).Guarded());
        Assert.True(logs.Has(3201), logs.Dump());
        Assert.Contains(logs.Entries, e => e.EventId == 3201 && e.Message.Contains("limit is 2"));
        Assert.Empty(c.Connections);
        Assert.Equal(2, listener.Connections.Count);

        await first.CloseAsync().Guarded();
        await EventuallyAsync(() => listener.Connections.Count == 1);
        await c.DialAsync(AddressOf(listener)).Guarded();
        await EventuallyAsync(() => listener.Connections.Count == 2);
        _ = refused;
    }

    [Fact]
    public async Task ConnectionsFromOnePeerOverItsLimitAreClosed()
    {
        var logs = new HostLogCapture();
        await using var listener = await StartAsync(Quiet with { MaxConnectionsPerPeer = 2 }, logs: logs);
        await using var dialer = await StartAsync();
        var bare = listener.ListenAddresses[0];

        await dialer.DialAsync(bare).Guarded();
        await dialer.DialAsync(bare).Guarded();
        await EventuallyAsync(() => listener.Connections.Count == 2);
        var third = await dialer.DialAsync(bare).Guarded();
        await third.Closed.Guarded();
        Assert.True(logs.Has(3202), logs.Dump());
        Assert.Equal(2, listener.Connections.Count);
        Assert.Equal(2, dialer.Connections.Count);
    }

    // Reads until the peer closes (FIN or reset); returns how many bytes arrived before that.
    private static async Task<int> ReadUntilClosedAsync(NetworkStream stream)
    {
        var total = 0;
        var buffer = new byte[256];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                total += n;
            }
        }
        catch (IOException)
        {
        }

        return total;
    }
}

internal static class HostLimitsAddressing
{
    public static int TcpPort(this Granary.Libp2p.Multiaddrs.Multiaddr address) =>
        address.TryGetTcpEndpoint(out _, out var port, out _) ? port : throw new ArgumentException("not TCP", nameof(address));
}
