using Granary.Libp2p.Peers;
using static Granary.Libp2p.Tests.HostTestKit;

namespace Granary.Libp2p.Tests.Interop;

/// <summary>The js launcher itself: replies matched by id under concurrency, failures reported with js's reason.</summary>
[Collection(JsInteropCollection.Name)]
public sealed class JsPeerTests(JsPeerFixture fixture)
{
    private JsPeer Js => fixture.Js;

    [Fact]
    public async Task ConcurrentCommandsGetTheirOwnReplies()
    {
        await using var host = await JsInterop.StartHostAsync();

        // js answers in completion order; each echo carries its own size, so a mixed-up reply would show.
        var sizes = Enumerable.Range(1, 20).Select(i => i * 3000).ToArray();
        var replies = await Task.WhenAll(sizes.Select(n => Js.RunAsync("echo", new { addr = host.Address(), bytes = n, seed = n }))).Guarded();

        for (var i = 0; i < sizes.Length; i++)
        {
            Assert.True(replies[i]["equal"]!.GetValue<bool>(), replies[i].ToJsonString());
            Assert.Equal(sizes[i], replies[i]["sent"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task AFailedCommandThrowsWithJsReasonAndTheNodeGoesOn()
    {
        var unknown = await Assert.ThrowsAsync<JsPeerCommandException>(() => Js.RunAsync("no-such-command").Guarded());
        Assert.Contains("unknown cmd", unknown.Message);
        Assert.Contains("--- js stderr ---", unknown.Message);

        // Our host is at the address, but the /p2p/ names someone else: js's Noise identity check refuses it.
        await using var host = await JsInterop.StartHostAsync();
        var wrong = host.Address().Split("/p2p/")[0] + "/p2p/" + Identity.Generate().PeerId;
        var refused = await Assert.ThrowsAsync<JsPeerCommandException>(() => Js.RunAsync("ping", new { addr = wrong, fresh = true }).Guarded());
        Assert.Contains("does not match expected remote identity key", refused.Message);

        var ping = await Js.RunAsync("ping", new { addr = host.Address() }).Guarded();
        Assert.Equal(host.PeerId.ToString(), ping["remotePeer"]!.GetValue<string>());
    }
}
