using Granary.Libp2p.Host;
using Granary.Libp2p.Yamux;
using static Granary.Libp2p.Tests.HostTestKit;

namespace Granary.Libp2p.Tests;

public class PingTests
{
    [Fact]
    public async Task TheListenerEchoesEveryPayloadOnOneStreamThenClosesAfterOurFin()
    {
        await using var listener = await StartAsync();
        await using var dialer = await StartAsync();
        await using var stream = await dialer.NewStreamAsync(AddressOf(listener), PingProtocol.Id).Guarded();
        var random = new Random(1);
        for (var i = 0; i < 3; i++)
        {
            var payload = new byte[32];
            random.NextBytes(payload);
            await stream.WriteAsync(payload).Guarded();
            var echo = new byte[32];
            await stream.ReadExactlyAsync(echo).Guarded();
            Assert.Equal(payload, echo);
        }

        // Two payloads in one write come back as 64 bytes.
        var two = new byte[64];
        random.NextBytes(two);
        await stream.WriteAsync(two).Guarded();
        var both = new byte[64];
        await stream.ReadExactlyAsync(both).Guarded();
        Assert.Equal(two, both);

        await stream.CloseWriteAsync();
        Assert.Equal(0, await stream.ReadAsync(new byte[1]).Guarded());
    }

    [Fact]
    public async Task APartialPayloadBeforeFinResetsTheStream()
    {
        await using var listener = await StartAsync();
        await using var dialer = await StartAsync();
        await using var stream = await dialer.NewStreamAsync(AddressOf(listener), PingProtocol.Id).Guarded();
        await stream.WriteAsync(new byte[20]).Guarded();
        await stream.CloseWriteAsync();
        await Assert.ThrowsAsync<YamuxStreamResetException>(async () => await stream.ReadAsync(new byte[32]).Guarded());
    }

    [Fact]
    public async Task AtMostTwoInboundPingStreamsPerConnection()
    {
        await using var listener = await StartAsync();
        await using var dialer = await StartAsync();
        await using var first = await dialer.NewStreamAsync(AddressOf(listener), PingProtocol.Id).Guarded();
        await using var second = await dialer.NewStreamAsync(AddressOf(listener), PingProtocol.Id).Guarded();

        // Make sure both handlers hold their slot before the third arrives.
        foreach (var stream in new[] { first, second })
        {
            await stream.WriteAsync(new byte[32]).Guarded();
            await stream.ReadExactlyAsync(new byte[32]).Guarded();
        }

        // The reset can overtake the negotiation's echo (a reset drops what was buffered), so either step may see it.
        await Assert.ThrowsAsync<YamuxStreamResetException>(async () =>
        {
            await using var third = await dialer.NewStreamAsync(AddressOf(listener), PingProtocol.Id).Guarded();
            await third.WriteAsync(new byte[32]).Guarded();
            await third.ReadExactlyAsync(new byte[32]).Guarded();
        });

        await first.CloseWriteAsync();
        Assert.Equal(0, await first.ReadAsync(new byte[1]).Guarded());
        await EventuallyAsync(() => first.Connection.ActiveStreams <= 2);
        Assert.InRange(await dialer.PingAsync(listener.PeerId).Guarded(), TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AWrongEchoIsReportedAndAMissingPingProtocolIsClear()
    {
        await using var liar = await StartAsync();
        liar.SetHandler(PingProtocol.Id, async (s, ct) =>
        {
            var payload = new byte[32];
            await s.ReadExactlyAsync(payload, ct);
            payload[0] ^= 1;
            await s.WriteAsync(payload, ct);
        });
        await using var dialer = await StartAsync();
        var error = await Assert.ThrowsAsync<Libp2pProtocolException>(() => dialer.PingAsync(AddressOf(liar)).Guarded());
        Assert.Contains("different bytes", error.Message);

        liar.SetHandler(PingProtocol.Id, async (s, ct) => await s.WriteAsync(new byte[5], ct));
        error = await Assert.ThrowsAsync<Libp2pProtocolException>(() => dialer.PingAsync(AddressOf(liar)).Guarded());
        Assert.Contains("5 of 32", error.Message);

        Assert.True(liar.RemoveHandler(PingProtocol.Id));
        await Assert.ThrowsAsync<Multistream.ProtocolNotSupportedException>(() => dialer.PingAsync(AddressOf(liar)).Guarded());
    }
}
