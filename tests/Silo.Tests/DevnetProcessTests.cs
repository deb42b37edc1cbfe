using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Granary.Chain;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Json;
using Granary.Chain.Rpc;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Tokens;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary>
/// <c>granary devnet run</c> as a real process: an independent Lotus client (lotus-client-rpc from npm) reads it over
/// HTTP and a websocket; JWT permissions are enforced per method; SIGTERM stops it and a restart continues the chain;
/// a second process on the repo and a changed block delay are refused.
/// </summary>
public sealed class DevnetProcessTests
{
    [Fact]
    public async Task An_independent_Lotus_client_is_answered_and_tokens_are_checked_per_method()
    {
        using var dir = new TempDirectory();
        var repo = Path.Combine(dir.Path, "devnet");
        await using var devnet = await DevnetProcess.StartAsync(repo);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(repo, "token")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(repo, "keystore", "auth-jwt-private")));
        Assert.Equal(devnet.Multiaddr, File.ReadAllText(Path.Combine(repo, "api")));
        Assert.Equal(devnet.Token, File.ReadAllText(Path.Combine(repo, "token")));

        // A miner for the client to read, created by the faucet through the node's wallet.
        using var chain = ChainRpcClient.FromApiInfo(devnet.ApiInfo);
        var faucet = Address.Parse(devnet.Faucet);
        var peer = new byte[] { 0x00, 0x04, 1, 2, 3, 4 };
        var create = new Message(0, Address.FromId(4), faucet, 0, TokenAmount.Zero, 0, TokenAmount.Zero, TokenAmount.Zero,
            ActorMethods.Power.CreateMiner, new CreateMinerParams(faucet, faucet, 10, peer, []).ToCbor());
        var pushed = await chain.MpoolPushMessage(create, null);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var landed = await chain.StateWaitMsg(pushed.Cid(), 0, wait.Token);
        Assert.Equal(0, landed.Receipt.ExitCode);
        var miner = CreateMinerReturn.FromCbor(landed.Receipt.Return).IdAddress.ToString('t');
        var faucetId = (await chain.StateLookupID(faucet, null)).ToString('t');

        var lines = await LotusJsClient.RunAsync(devnet.Url().ToString(), devnet.Token, miner, devnet.Faucet);

        Assert.True(LotusJsClient.Result(lines, "ChainHead").GetProperty("Height").GetInt64() >= landed.Height);
        var info = LotusJsClient.Result(lines, "StateMinerInfo");
        Assert.Equal(faucetId, info.GetProperty("Owner").GetString());
        Assert.Equal(faucetId, info.GetProperty("Worker").GetString());
        Assert.Equal(2048, info.GetProperty("SectorSize").GetInt64());
        Assert.Equal(Filecoin.Encoding.Base58.Encode(peer), info.GetProperty("PeerId").GetString());
        Assert.Equal(faucetId, LotusJsClient.Result(lines, "StateLookupID").GetString());
        Assert.True(BigInteger.Parse(LotusJsClient.Result(lines, "WalletBalance").GetString()!) > TokenAmount.FromFil(1_000_000).AttoFil);
        var signed = LotusJson.Deserialize<SignedMessage>(LotusJsClient.Result(lines, "MpoolPushMessage"))!;
        Assert.True(signed.VerifySignature());
        Assert.Equal(faucet, signed.Message.From);
        var unknown = LotusJsClient.Line(lines, "StateMinerInfoUnknown");
        Assert.False(unknown.TryGetProperty("result", out _));
        Assert.Contains("not a miner", unknown.GetProperty("error").GetString());
        Assert.Equal("current", Assert.Single(LotusJsClient.Result(lines, "ChainNotify").EnumerateArray()).GetProperty("Type").GetString());

        // Filecoin.Version in Lotus's shape, per API version.
        using var http = new HttpClient();
        var version = await CallAsync(http, devnet.Url(), "Filecoin.Version", "[]", devnet.Token);
        Assert.Equal(131840, version.GetProperty("result").GetProperty("APIVersion").GetInt64());
        Assert.Equal(1, version.GetProperty("result").GetProperty("BlockDelay").GetInt32());
        Assert.StartsWith("granary/", version.GetProperty("result").GetProperty("Version").GetString());
        Assert.Equal(66816, (await CallAsync(http, devnet.Url("v0"), "Filecoin.Version", "[]", devnet.Token)).GetProperty("result").GetProperty("APIVersion").GetInt64());

        // No token or a forged one: 401. A read token reads (also as ?token=) but may not sign.
        var head = """{"jsonrpc":"2.0","method":"Filecoin.ChainHead","params":[],"id":1}""";
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(http, devnet.Url(), head, null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(http, devnet.Url(), head, devnet.Token[..^3] + "AAA")).StatusCode);
        var (code, output) = await GranaryProcess.RunAsync(["devnet", "api-info", "--perm", "read", "--repo", repo]);
        Assert.True(code == 0, output);
        Assert.StartsWith("FULLNODE_API_INFO=ey", output.Trim());
        var readToken = output.Trim()["FULLNODE_API_INFO=".Length..].Split(':')[0];
        Assert.EndsWith($":{devnet.Multiaddr}", output.Trim());
        Assert.True((await CallAsync(http, devnet.Url(), "Filecoin.ChainHead", "[]", readToken)).TryGetProperty("result", out _));
        var byQuery = await http.PostAsync(new Uri(devnet.Url(), $"?token={readToken}"), new StringContent(head, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, byQuery.StatusCode);
        var send = $$"""[{"To":"{{devnet.Faucet}}","From":"{{devnet.Faucet}}","Nonce":0,"Value":"0","GasLimit":0,"GasFeeCap":"0","GasPremium":"0","Method":0,"Params":null},null]""";
        var refused = await CallAsync(http, devnet.Url(), "Filecoin.MpoolPushMessage", send, readToken);
        Assert.False(refused.TryGetProperty("result", out _));
        Assert.Contains("missing permission", refused.GetProperty("error").GetProperty("message").GetString());
        Assert.Contains("sign", refused.GetProperty("error").GetProperty("message").GetString());
        Assert.True((await CallAsync(http, devnet.Url(), "Filecoin.MpoolPushMessage", send, devnet.Token)).TryGetProperty("result", out _));
    }

    [Fact]
    public async Task Sigterm_stops_it_cleanly_and_a_restart_continues_the_chain_while_a_second_process_is_refused()
    {
        using var dir = new TempDirectory();
        var repo = Path.Combine(dir.Path, "devnet");
        long height;
        string miner;
        await using (var devnet = await DevnetProcess.StartAsync(repo))
        {
            using var chain = ChainRpcClient.FromApiInfo(devnet.ApiInfo);
            var faucet = Address.Parse(devnet.Faucet);
            var create = new Message(0, Address.FromId(4), faucet, 0, TokenAmount.Zero, 0, TokenAmount.Zero, TokenAmount.Zero,
                ActorMethods.Power.CreateMiner, new CreateMinerParams(faucet, faucet, 11, [0x00, 0x04, 9, 9, 9, 9], []).ToCbor());
            var pushed = await chain.MpoolPushMessage(create, null);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            miner = CreateMinerReturn.FromCbor((await chain.StateWaitMsg(pushed.Cid(), 0, wait.Token)).Receipt.Return).IdAddress.ToString('t');

            var (code, output) = await GranaryProcess.RunAsync(["devnet", "run", "--repo", repo, "--listen", $"/ip4/127.0.0.1/tcp/{FreePorts.Take(1)[0]}/http"]);
            Assert.Equal(1, code);
            Assert.Contains("in use by another granary devnet process", output);

            height = (await chain.ChainHead()).Height;
            var stop = await devnet.Process.TerminateAsync();
            Assert.True(stop < TimeSpan.FromSeconds(10), $"stop took {stop}");
            Assert.Equal(0, devnet.Process.ExitCode);
            Assert.False(File.Exists(Path.Combine(repo, "api")));
            Assert.Contains("stopped at head", devnet.Process.Output);
        }

        var (delayCode, delayOutput) = await GranaryProcess.RunAsync(["devnet", "run", "--repo", repo, "--block-delay", "2"]);
        Assert.Equal(2, delayCode);
        Assert.Contains("created with a block delay of 1 s", delayOutput);

        await using var again = await DevnetProcess.StartAsync(repo);
        using var reopened = ChainRpcClient.FromApiInfo(again.ApiInfo);
        Assert.True((await reopened.ChainHead()).Height >= height);
        Assert.Equal(8L << 20, (long)(await reopened.StateMinerInfo(Address.Parse(miner), null)).SectorSize);
        await Assert.ThrowsAsync<ChainRpcException>(() => reopened.StateMinerInfo(Address.FromId(99_999), null));
    }

    private static async Task<JsonElement> CallAsync(HttpClient http, Uri url, string method, string parameters, string token)
    {
        var response = await PostAsync(http, url, $$"""{"jsonrpc":"2.0","method":"{{method}}","params":{{parameters}},"id":3}""", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, Uri url, string body, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        return http.SendAsync(request);
    }
}
