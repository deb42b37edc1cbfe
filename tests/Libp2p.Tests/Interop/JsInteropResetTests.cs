using Granary.Libp2p.Host;
using Granary.Libp2p.Yamux;
using static Granary.Libp2p.Tests.HostTestKit;

namespace Granary.Libp2p.Tests.Interop;

/// <summary>Streams reset in the middle of a transfer, by js and by us: only that stream dies.</summary>
[Collection(JsInteropCollection.Name)]
public sealed class JsInteropResetTests(JsPeerFixture fixture)
{
    private JsPeer Js => fixture.Js;

    [Fact]
    public async Task JsResetsAStreamToOurHandlerMidTransferAndTheConnectionGoesOn()
    {
        var logs = new HostLogCapture();
        await using var host = await JsInterop.StartHostAsync(logs: logs);
        var failure = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.SetHandler(Echo, async (stream, ct) =>
        {
            try
            {
                await EchoAsync(stream, ct);
            }
            catch (Exception e)
            {
                failure.TrySetResult(e);
                throw;
            }
        });

        // 1 MiB is four times our initial window, and js aborts 50 ms after its last send(): data is in flight.
        var reply = await Js.RunAsync("reset", new { addr = host.Address(), afterBytes = 1024 * 1024, waitMs = 50 }).Guarded();

        Assert.Equal("aborted", reply["streamStatus"]!.GetValue<string>());
        Assert.True(reply["connectionAlive"]!.GetValue<bool>(), reply.ToJsonString());
        var seen = await failure.Task.Guarded();
        var reset = Assert.IsType<YamuxStreamResetException>(seen);
        Assert.True(reset.ByRemote);
        await EventuallyAsync(() => logs.Entries.Any(e => e.EventId == 3218 && e.Message.Contains(Echo) && e.Message.Contains("reset by the remote peer")), what: "the reset is logged");
        Assert.DoesNotContain(logs.Entries, e => e.EventId == 3210);

        // The same connection still carries streams both ways.
        var connection = Assert.Single(host.Connections);
        await host.PingAsync(Js.PeerId).Guarded();
        var echo = await Js.RunAsync("echo", new { addr = host.Address(), bytes = 64 * 1024, seed = 3 }).Guarded();
        Assert.True(echo["equal"]!.GetValue<bool>(), echo.ToJsonString());
        Assert.Same(connection, Assert.Single(host.Connections));
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task WeResetAStreamToJsMidTransferAndJsGoesOn()
    {
        await using var host = await JsInterop.StartHostAsync();
        var connection = await host.DialAsync(Js.Ip4Address).Guarded();
        var failedBefore = await JsEchoFailuresAsync();

        var stream = await host.NewStreamAsync(Js.Ip4Address, Echo).Guarded();
        var block = JsInterop.Bytes(64 * 1024, 8);

        // Writes until the reset stops it: flow control holds it once both windows are full.
        var writing = Task.Run(async () =>
        {
            while (true)
            {
                await stream.WriteAsync(block);
            }
        });
        var head = new byte[block.Length];
        await stream.ReadExactlyAsync(head).Guarded();
        Assert.Equal(block, head);

        stream.Reset();

        var readAfter = await Assert.ThrowsAsync<YamuxStreamResetException>(async () => await stream.ReadAsync(new byte[1]).Guarded());
        Assert.False(readAfter.ByRemote);
        await Assert.ThrowsAsync<YamuxStreamResetException>(() => writing.Guarded());
        await stream.DisposeAsync();

        // js's handler saw the reset as a failed stream, and nothing else broke.
        var deadline = DateTime.UtcNow + Guard;
        while (await JsEchoFailuresAsync() != failedBefore + 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "js never counted the reset stream as failed");
            await Task.Delay(20);
        }

        var fresh = JsInterop.Bytes(200_000, 9);
        await using (var again = await host.NewStreamAsync(Js.Ip4Address, Echo).Guarded())
        {
            Assert.Same(connection, again.Connection);
            Assert.Equal(fresh, await RoundTripAsync(again, fresh));
        }

        var ping = await Js.RunAsync("ping", new { addr = host.Address() }).Guarded();
        Assert.Equal(host.PeerId.ToString(), ping["remotePeer"]!.GetValue<string>());
        Assert.Same(connection, Assert.Single(host.Connections));
        Assert.Equal(failedBefore + 1, await JsEchoFailuresAsync());
    }

    private async Task<int> JsEchoFailuresAsync()
    {
        var stats = await Js.RunAsync("stats").Guarded();
        return stats["handlers"]?[Echo]?["failed"]?.GetValue<int>() ?? 0;
    }
}
