using System.Security.Cryptography;
using System.Text;
using Granary.Libp2p.Host;
using Granary.Libp2p.Identify;
using Granary.Libp2p.Multistream;
using Granary.Libp2p.Yamux;
using static Granary.Libp2p.Tests.HostTestKit;

namespace Granary.Libp2p.Tests;

public class HostStreamTests
{
    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/0")]
    [InlineData("/ip6/::1/tcp/0")]
    public async Task EchoesTenMebibytesExactly(string listen)
    {
        await using var listener = await StartAsync(listen: listen);
        await using var dialer = await StartAsync(listen: listen);
        var data = RandomNumberGenerator.GetBytes(10 * 1024 * 1024);

        await using var stream = await dialer.NewStreamAsync(AddressOf(listener), Echo).Guarded();
        Assert.Equal(Echo, stream.Protocol);
        Assert.Equal(listener.PeerId, stream.RemotePeer);
        Assert.Equal(ConnectionDirection.Outbound, stream.Direction);
        var echoed = await RoundTripAsync(stream, data);
        Assert.Equal(data.Length, echoed.Length);
        Assert.True(data.AsSpan().SequenceEqual(echoed), "echo differs");
    }

    [Fact]
    public async Task HundredConcurrentStreamsOnOneConnectionAllEchoTheirOwnBytes()
    {
        await using var listener = await StartAsync();
        await using var dialer = await StartAsync();
        var address = AddressOf(listener);
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            var data = new byte[32 * 1024 + i];
            new Random(i).NextBytes(data);
            await using var stream = await dialer.NewStreamAsync(address, Echo);
            return (Connection: stream.Connection, Equal: (await RoundTripAsync(stream, data)).AsSpan().SequenceEqual(data));
        })).Guarded();
        Assert.All(results, r => Assert.True(r.Equal));
        Assert.Single(results.Select(r => r.Connection).Distinct());
    }

    [Fact]
    public async Task LsListsTheServedProtocolsAndTheStreamThenNegotiatesNormally()
    {
        await using var listener = await StartAsync();
        await using var dialer = await StartAsync();
        var connection = await dialer.DialAsync(AddressOf(listener)).Guarded();

        // Spoken by hand from the multistream-select spec, not with the code under test.
        await using var raw = await connection.Session.OpenStreamAsync().Guarded();
        await raw.WriteAsync(Line("/multistream/1.0.0").Concat(Line("ls")).ToArray()).Guarded();
        Assert.Equal("/multistream/1.0.0\n", Encoding.UTF8.GetString(await ReadMessageAsync(raw)));
        var listing = await ReadMessageAsync(raw);
        var listed = new List<string>();
        for (var offset = 0; offset < listing.Length - 1;)
        {
            var length = listing[offset++];
            listed.Add(Encoding.UTF8.GetString(listing, offset, length - 1));
            Assert.Equal((byte)'\n', listing[offset + length - 1]);
            offset += length;
        }

        Assert.Equal((byte)'\n', listing[^1]);
        Assert.Equal(new[] { Echo, IdentifyProtocol.Id, IdentifyProtocol.PushId, PingProtocol.Id }, listed);

        await raw.WriteAsync(Line(Echo)).Guarded();
        Assert.Equal(Echo + "\n", Encoding.UTF8.GetString(await ReadMessageAsync(raw)));
        await raw.WriteAsync("after ls"u8.ToArray()).Guarded();
        await raw.CloseWriteAsync();
        var echoed = new byte[8];
        await raw.ReadExactlyAsync(echoed).Guarded();
        Assert.Equal("after ls"u8.ToArray(), echoed);
    }

    [Fact]
    public async Task AnUnknownProtocolFailsClearlyAndTheConnectionGoesOn()
    {
        await using var listener = await StartAsync();
        await using var dialer = await StartAsync();
        var error = await Assert.ThrowsAsync<ProtocolNotSupportedException>(() => dialer.NewStreamAsync(AddressOf(listener), "/nope/1.0.0").Guarded());
        Assert.Contains("/nope/1.0.0", error.Message);

        await using var fallback = await dialer.NewStreamAsync(AddressOf(listener), ["/nope/2.0.0", Echo]).Guarded();
        Assert.Equal(Echo, fallback.Protocol);
        Assert.Equal("x"u8.ToArray(), await RoundTripAsync(fallback, "x"u8.ToArray()));

        Assert.True(listener.RemoveHandler(Echo));
        await Assert.ThrowsAsync<ProtocolNotSupportedException>(() => dialer.NewStreamAsync(AddressOf(listener), Echo).Guarded());
        Assert.Single(dialer.Connections);
    }

    [Fact]
    public async Task AThrowingHandlerResetsOnlyItsOwnStream()
    {
        var logs = new HostLogCapture();
        await using var listener = await StartAsync(logs: logs);
        listener.SetHandler("/boom/1.0.0", async (s, ct) =>
        {
            await s.ReadExactlyAsync(new byte[1], ct);
            throw new InvalidOperationException("handler bug");
        });
        await using var dialer = await StartAsync();

        await using var echo = await dialer.NewStreamAsync(AddressOf(listener), Echo).Guarded();
        await echo.WriteAsync("before"u8.ToArray()).Guarded();

        await using var boom = await dialer.NewStreamAsync(AddressOf(listener), "/boom/1.0.0").Guarded();
        await boom.WriteAsync(new byte[] { 1 }).Guarded();
        await Assert.ThrowsAsync<YamuxStreamResetException>(async () => await boom.ReadAsync(new byte[1]).Guarded());
        Assert.True(logs.Has(3210), logs.Dump());

        await echo.WriteAsync(" after"u8.ToArray()).Guarded();
        await echo.CloseWriteAsync();
        using var received = new MemoryStream();
        await echo.CopyToAsync(received).Guarded();
        Assert.Equal("before after"u8.ToArray(), received.ToArray());
        Assert.True(echo.Connection.IsOpen);
    }

    [Fact]
    public async Task StreamsBeyondTheLimitAreRefusedAndTheConnectionSurvives()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = await StartAsync(Quiet with { Yamux = new YamuxOptions { MaxStreams = 3 } });
        listener.SetHandler("/hold/1.0.0", async (s, ct) => await release.Task.WaitAsync(ct));
        await using var dialer = await StartAsync();
        var address = AddressOf(listener);

        var connection = await dialer.DialAsync(address).Guarded();
        await dialer.IdentifyAsync(listener.PeerId).Guarded();
        await EventuallyAsync(() => connection.ActiveStreams == 0, what: "identify streams are done");
        var held = new List<Libp2pStream>();
        for (var i = 0; i < 3; i++)
        {
            held.Add(await dialer.NewStreamAsync(address, "/hold/1.0.0").Guarded());
        }

        await Assert.ThrowsAsync<YamuxStreamResetException>(() => dialer.NewStreamAsync(address, "/hold/1.0.0").Guarded());

        release.SetResult();
        foreach (var stream in held)
        {
            Assert.Equal(0, await stream.ReadAsync(new byte[1]).Guarded());
            await stream.DisposeAsync();
        }

        await EventuallyAsync(() => connection.ActiveStreams == 0);
        await using var again = await dialer.NewStreamAsync(address, Echo).Guarded();
        Assert.Same(connection, again.Connection);
        Assert.Equal("ok"u8.ToArray(), await RoundTripAsync(again, "ok"u8.ToArray()));
    }

    [Fact]
    public async Task AStreamThatNeverNegotiatesIsResetAfterTheTimeout()
    {
        var logs = new HostLogCapture();
        await using var listener = await StartAsync(Quiet with { NegotiationTimeout = TimeSpan.FromMilliseconds(300) }, logs: logs);
        await using var dialer = await StartAsync();
        var connection = await dialer.DialAsync(AddressOf(listener)).Guarded();

        await using var silent = await connection.Session.OpenStreamAsync().Guarded();
        var header = new byte[20];
        await silent.ReadExactlyAsync(header).Guarded();
        Assert.Equal(Line("/multistream/1.0.0"), header);
        await Assert.ThrowsAsync<YamuxStreamResetException>(async () => await silent.ReadAsync(new byte[1]).Guarded());
        Assert.True(logs.Has(3209), logs.Dump());
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task HandlersAreCancelledWhenTheirConnectionCloses()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = await StartAsync();
        listener.SetHandler("/wait/1.0.0", async (s, ct) =>
        {
            await using var registration = ct.Register(() => cancelled.TrySetResult());
            await Task.Delay(Timeout.Infinite, ct);
        });
        await using var dialer = await StartAsync();
        var stream = await dialer.NewStreamAsync(AddressOf(listener), "/wait/1.0.0").Guarded();
        await stream.Connection.CloseAsync().Guarded();
        await cancelled.Task.Guarded();
    }

    private static byte[] Line(string text)
    {
        var body = Encoding.UTF8.GetBytes(text + "\n");
        return [(byte)body.Length, .. body];
    }

    // One multistream message: a one-byte uvarint length (all of ours are < 128) and the body.
    private static async Task<byte[]> ReadMessageAsync(Stream stream)
    {
        var length = new byte[1];
        await stream.ReadExactlyAsync(length).Guarded();
        Assert.True(length[0] < 0x80);
        var body = new byte[length[0]];
        await stream.ReadExactlyAsync(body).Guarded();
        return body;
    }
}
