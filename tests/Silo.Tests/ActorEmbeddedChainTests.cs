using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary>
/// The embedded default end to end, as real processes: <c>granary init</c> creates the miner on the repo's devnet,
/// <c>granary run</c> embeds that devnet, and <c>actor set-peer-id</c> / <c>actor set-addrs</c> go through the miner
/// grain to the chain; <c>actor info</c> shows them from the grain's mirror and read back from the chain.
/// </summary>
public sealed class ActorEmbeddedChainTests
{
    [Fact]
    public async Task Init_run_and_set_peer_id_and_addrs_show_in_the_mirror_and_on_chain()
    {
        using var dir = new TempDirectory();
        var repo = Path.Combine(dir.Path, "repo");
        var config = TestConfig.OnFreePorts(chain: "DevnetBlockDelaySeconds = 1");
        config.WriteTo(repo);

        var (code, output) = await GranaryProcess.RunAsync(["init", "--sector-size", "2KiB", "--repo", repo]);
        Assert.True(code == 0, output);
        Assert.Contains("funding owner t1", output);
        Assert.Contains("waiting for CreateMiner (epoch ", output);
        var miner = output.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("t0", StringComparison.Ordinal));
        var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(repo, "miner.json"))).RootElement;
        Assert.Equal(miner, file.GetProperty("Miner").GetString());
        Assert.Equal("embedded", file.GetProperty("Chain").GetString());

        await using var silo = GranaryProcess.Start(["run", "--repo", repo]);
        await silo.WaitHealthyAsync(config.DashboardPort);
        Assert.Contains($"chain: embedded devnet {Path.Combine(repo, "devnet.db")}", silo.Output);
        var peerId = (await Cli(repo, "net", "id")).Trim();
        Assert.Equal(miner, (await Call(repo, "Filecoin.ActorAddress")).GetString());
        Assert.Equal(2048, (await Call(repo, "Filecoin.ActorSectorSize")).GetInt64());

        // init published the silo's peer id; move it away and back, then set the addresses.
        var before = await Info(repo, cached: false);
        Assert.Equal(peerId, before.GetProperty("Info").GetProperty("PeerId").GetString());
        Assert.Empty(before.GetProperty("MultiaddrText").EnumerateArray());
        var other = Libp2p.Peers.Identity.Generate().PeerId.ToString();
        Assert.StartsWith($"peer id set to {other}", await Cli(repo, "actor", "set-peer-id", other));
        Assert.Equal(other, (await Info(repo, cached: true)).GetProperty("Info").GetProperty("PeerId").GetString());
        await Cli(repo, "actor", "set-peer-id", peerId);
        var set = await Cli(repo, "actor", "set-addrs", $"/ip4/127.0.0.1/tcp/{config.Libp2pPort}", $"/dns4/sp.example/tcp/24001/p2p/{peerId}");
        Assert.StartsWith("multiaddrs set to", set);

        string[] expected = [$"/ip4/127.0.0.1/tcp/{config.Libp2pPort}", "/dns4/sp.example/tcp/24001"];
        var mirror = await Info(repo, cached: true);
        var chain = await Info(repo, cached: false);
        foreach (var view in new[] { mirror, chain })
        {
            Assert.Equal(peerId, view.GetProperty("Info").GetProperty("PeerId").GetString());
            Assert.Equal(expected, view.GetProperty("MultiaddrText").EnumerateArray().Select(a => a.GetString()));
            Assert.Equal(2, view.GetProperty("Info").GetProperty("Multiaddrs").GetArrayLength());
            Assert.Empty(view.GetProperty("Pending").EnumerateArray());
            Assert.Equal(3UL, view.GetProperty("NextNonce").GetUInt64());
        }

        Assert.True(chain.GetProperty("Epoch").GetInt64() >= mirror.GetProperty("Epoch").GetInt64());
        var text = await Cli(repo, "actor", "info");
        Assert.Contains($"Miner:        {miner}", text);
        Assert.Contains($"Peer ID:      {peerId}", text);
        Assert.Contains($"Multiaddrs:   {string.Join(" ", expected)}", text);
        Assert.Contains("Sector size:  2 KiB", text);

        // Refusals: one line each, nothing sent.
        var (badCode, bad) = await GranaryProcess.RunAsync(["actor", "set-addrs", "ip4/1.2.3.4", "--repo", repo]);
        Assert.Equal(1, badCode);
        Assert.Contains("'ip4/1.2.3.4' is not a multiaddr", bad);
        Assert.Single(bad.Trim().Split('\n'));
        var (peerCode, badPeer) = await GranaryProcess.RunAsync(["actor", "set-peer-id", "12D3KooWnotapeer", "--repo", repo]);
        Assert.Equal(1, peerCode);
        Assert.Contains("is not a peer id", badPeer);
        var (_, readInfo) = await GranaryProcess.RunAsync(["auth", "api-info", "--perm", "read", "--repo", repo]);
        var readToken = readInfo.Trim()["MINER_API_INFO=".Length..].Split(':')[0];
        var refused = await PostAsync(config.ApiPort, readToken, "Filecoin.ActorSetPeerID", $"[\"{peerId}\"]");
        Assert.Contains("need 'admin'", refused.GetProperty("error").GetProperty("message").GetString());
        var (initCode, init) = await GranaryProcess.RunAsync(["init", "--repo", repo]);
        Assert.Equal(1, initCode);
        Assert.Contains("in use by another granary process", init);
        Assert.Equal(3UL, (await Info(repo, cached: true)).GetProperty("NextNonce").GetUInt64());

        await silo.TerminateAsync();
        Assert.Equal(0, silo.ExitCode);
    }

    private static async Task<JsonElement> Info(string repo, bool cached) =>
        JsonDocument.Parse(await Cli(repo, cached ? ["actor", "info", "--json", "--cached"] : ["actor", "info", "--json"])).RootElement.Clone();

    private static async Task<JsonElement> Call(string repo, string method)
    {
        var api = File.ReadAllText(Path.Combine(repo, "api")).Split('/')[4];
        return (await PostAsync(int.Parse(api), File.ReadAllText(Path.Combine(repo, "token")), method, "[]")).GetProperty("result").Clone();
    }

    private static async Task<JsonElement> PostAsync(int port, string token, string method, string parameters)
    {
        using var http = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/rpc/v0")
        {
            Content = new StringContent($$"""{"jsonrpc":"2.0","method":"{{method}}","params":{{parameters}},"id":1}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);
        return await (await http.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Task<string> Cli(string repo, params string[] args) => RepoCli.RunAsync(repo, args);
}
