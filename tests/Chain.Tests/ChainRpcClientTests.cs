using System.Net;
using System.Net.Sockets;
using Granary.Chain.Model;
using Granary.Chain.Rpc;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Tests;

/// <summary>
/// <see cref="ChainRpcClient"/> over real HTTP and websockets against <see cref="ChainRpcServer"/> in Kestrel:
/// answers, the node's errors with their messages and codes, and transport failures as
/// <see cref="ChainUnavailableException"/> naming the endpoint.
/// </summary>
public sealed class ChainRpcClientTests : IAsyncLifetime
{
    private const string Token = "test-token";
    private readonly ChainRpcFakeNode _node = new();
    private ChainRpcTestHost _host = null!;
    private ChainRpcClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await ChainRpcTestHost.StartAsync(_node, Token);
        _client = ChainRpcClient.FromApiInfo(_host.ApiInfo(Token));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Calls_answer_what_the_node_answers()
    {
        Assert.Equal(ChainRpcFakeNode.TipSetAt(10).Key, (await _client.ChainHead()).Key);
        var info = await _client.StateMinerInfo(ChainRpcFakeNode.Miner, null);
        Assert.Equal(ChainRpcFakeNode.Info.PeerId, info.PeerId);
        Assert.Equal(ChainRpcFakeNode.Info.Owner, info.Owner);
        Assert.Equal(TokenAmount.Parse("1.5"), await _client.WalletBalance(ChainRpcFakeNode.Owner));
        Assert.Equal(42UL, await _client.MpoolGetNonce(ChainRpcFakeNode.Owner));
        Assert.Null(await _client.StateSectorPreCommitInfo(ChainRpcFakeNode.Miner, 0, null));
        Assert.Equal(95, (await _client.StateSectorPreCommitInfo(ChainRpcFakeNode.Miner, 3, null))!.PreCommitEpoch);
        Assert.Equal(new BitField([2, 9]), await _client.StateMinerFaults(ChainRpcFakeNode.Miner, null));
        var key = new TipSetKey([ChainRpcFakeNode.Block(4)]);
        var deadlines = await _client.StateMinerDeadlines(ChainRpcFakeNode.Miner, key);
        Assert.Equal(2, deadlines.Count);
        Assert.Equal(key, _node.Calls[^1].Args[1]);
    }

    [Fact]
    public async Task Messages_and_signatures_cross_intact()
    {
        var message = new Message(0, ChainRpcFakeNode.Miner, ChainRpcFakeNode.Owner, 0, TokenAmount.FromFil(1), 0, TokenAmount.Zero, TokenAmount.Zero, 4, [1, 2, 3]);
        var signed = await _client.MpoolPushMessage(message, new MessageSendSpec(new TokenAmount(1000)));
        Assert.Equal(ChainRpcFakeNode.Signed(message).Cid(), signed.Cid());
        Assert.Equal(new TokenAmount(1000), ((MessageSendSpec)_node.Calls[^1].Args[1]!).MaxFee);
        Assert.Equal(signed.Cid(), await _client.MpoolPush(signed));

        var signature = await _client.WalletSign(ChainRpcFakeNode.Owner, [9, 8, 7]);
        Assert.Equal(SignatureType.Secp256k1, signature.Type);
        Assert.Equal([9, 8, 7], signature.Data[..3]);
        Assert.True(await _client.WalletVerify(ChainRpcFakeNode.Owner, [9, 8, 7], signature));
        Assert.False(await _client.WalletVerify(ChainRpcFakeNode.Owner, [9, 8, 7], new Signature(SignatureType.Bls, [1])));
        Assert.Equal(Enumerable.Repeat((byte)4, 32), await _client.StateGetRandomnessFromTickets(DomainSeparationTag.WindowedPoStChallengeSeed, 5, [1], null));
    }

    [Fact]
    public async Task StateWaitMsg_sends_Lotus_v1_params_and_v0_sends_two()
    {
        var cid = ChainRpcFakeNode.Block(77);
        Assert.Equal(11, (await _client.StateWaitMsg(cid, 3)).Height);
        using var v0 = ChainRpcClient.FromApiInfo(_host.ApiInfo(Token), apiVersion: "v0");
        Assert.Equal(11, (await v0.StateWaitMsg(cid, 3)).Height);
        Assert.Equal(2, _node.Calls.Count(c => c.Method == "StateWaitMsg"));
    }

    [Fact]
    public async Task The_node_refusal_is_a_ChainException_with_its_message_and_code()
    {
        _node.Refuse.Add("StateLookupID");
        var e = await Assert.ThrowsAsync<ChainRpcException>(() => _client.StateLookupID(Address.FromId(5), null));
        Assert.IsAssignableFrom<ChainException>(e);
        Assert.Equal("refused: StateLookupID", e.Message);
        Assert.Equal(1, e.Code);
        Assert.Equal("Filecoin.StateLookupID", e.Method);

        var bls = await Assert.ThrowsAsync<ChainRpcException>(() => _client.WalletNew(WalletKeyType.Bls));
        Assert.Equal("BLS keys are not supported by the devnet", bls.Message);
    }

    [Fact]
    public async Task A_permission_refusal_names_the_permission()
    {
        await using var host = await ChainRpcTestHost.StartAsync(_node, allowed: new HashSet<string> { "Filecoin.ChainHead" });
        using var client = new ChainRpcClient(ChainRpcEndpoint.Parse(host.ApiInfo()));
        await client.ChainHead();
        var e = await Assert.ThrowsAsync<ChainRpcException>(() => client.WalletSign(ChainRpcFakeNode.Owner, [1]));
        Assert.Equal("missing permission to invoke 'Filecoin.WalletSign' (need 'sign')", e.Message);
    }

    [Fact]
    public async Task A_wrong_token_is_unavailable_with_a_hint()
    {
        using var client = ChainRpcClient.FromApiInfo(_host.ApiInfo("wrong"));
        var e = await Assert.ThrowsAsync<ChainUnavailableException>(() => client.ChainHead());
        Assert.Contains("401", e.Message);
        Assert.Contains("token", e.Message);
        Assert.Contains(_host.Url().ToString(), e.Message);
    }

    [Fact]
    public async Task A_node_that_is_not_there_is_unavailable_naming_the_endpoint()
    {
        var port = FreePort();
        using var client = ChainRpcClient.FromApiInfo($"T:/ip4/127.0.0.1/tcp/{port}/http");
        var e = await Assert.ThrowsAsync<ChainUnavailableException>(() => client.ChainHead());
        Assert.Contains($"127.0.0.1:{port}/rpc/v1", e.Message);
        Assert.Contains("Filecoin.ChainHead", e.Message);
        await Assert.ThrowsAsync<ChainUnavailableException>(async () =>
        {
            await foreach (var _ in client.ChainNotify())
            {
            }
        });
    }

    [Fact]
    public async Task A_node_that_answers_too_late_is_unavailable_and_StateWaitMsg_waits_for_the_chain()
    {
        using var hung = new TcpListener(IPAddress.Loopback, 0);
        hung.Start();
        var port = ((IPEndPoint)hung.LocalEndpoint).Port;
        using var client = ChainRpcClient.FromApiInfo($"/ip4/127.0.0.1/tcp/{port}/http", new ChainRpcClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        var e = await Assert.ThrowsAsync<ChainUnavailableException>(() => client.ChainHead());
        Assert.Contains("did not answer Filecoin.ChainHead within 0.3 s", e.Message);

        // StateWaitMsg blocks until the message lands: the request timeout does not apply, the caller's token does.
        using var slow = ChainRpcClient.FromApiInfo(_host.ApiInfo(Token), new ChainRpcClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        var wait = slow.StateWaitMsg(ChainRpcFakeNode.Block(1), 99);
        await Task.WhenAny(wait, Task.Delay(TimeSpan.FromSeconds(1)));
        Assert.False(wait.IsCompleted);
        _node.WaitRelease.SetResult();
        Assert.Equal(11, (await wait).Height);
    }

    [Fact]
    public async Task Something_that_is_not_the_API_is_unavailable()
    {
        await using var other = await StartPlainHttpAsync("<html>hello</html>");
        using var client = new ChainRpcClient(new ChainRpcEndpoint(other, null));
        var e = await Assert.ThrowsAsync<ChainUnavailableException>(() => client.ChainHead());
        Assert.Contains("not JSON", e.Message);

        await using var wrongShape = await StartPlainHttpAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"Height\":\"x\"}}");
        using var client2 = new ChainRpcClient(new ChainRpcEndpoint(wrongShape, null));
        var e2 = await Assert.ThrowsAsync<ChainUnavailableException>(() => client2.ChainHead());
        Assert.Contains("not a TipSet", e2.Message);
    }

    [Fact]
    public async Task A_go_jsonrpc_error_with_HTTP_500_is_the_node_error_and_a_bare_500_is_unavailable()
    {
        // go-jsonrpc answers framework errors (unknown method, bad params) with HTTP 500 and a JSON-RPC body.
        await using var lotus = await StartPlainHttpAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,\"message\":\"method 'Filecoin.ChainHead' not found\"}}", 500);
        using var client = new ChainRpcClient(new ChainRpcEndpoint(lotus, null));
        var e = await Assert.ThrowsAsync<ChainRpcException>(() => client.ChainHead());
        Assert.Equal(-32601, e.Code);
        Assert.Equal("method 'Filecoin.ChainHead' not found", e.Message);

        await using var proxy = await StartPlainHttpAsync("<html>bad gateway</html>", 502);
        using var client2 = new ChainRpcClient(new ChainRpcEndpoint(proxy, null));
        Assert.Contains("HTTP 502", (await Assert.ThrowsAsync<ChainUnavailableException>(() => client2.ChainHead())).Message);
    }

    [Fact]
    public async Task ChainNotify_streams_over_the_websocket_and_unsubscribes_when_the_caller_stops()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var changes = _client.ChainNotify(cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await changes.MoveNextAsync());
        var current = Assert.Single(changes.Current);
        Assert.Equal(HeadChangeType.Current, current.Type);
        Assert.Equal(10, current.Value.Height);

        await _node.Heads.Writer.WriteAsync([new HeadChange(HeadChangeType.Revert, ChainRpcFakeNode.TipSetAt(10)), new HeadChange(HeadChangeType.Apply, ChainRpcFakeNode.TipSetAt(11))]);
        Assert.True(await changes.MoveNextAsync());
        Assert.Equal([HeadChangeType.Revert, HeadChangeType.Apply], changes.Current.Select(c => c.Type));
        Assert.Equal(ChainRpcFakeNode.TipSetAt(11).Key, changes.Current[1].Value.Key);

        await changes.DisposeAsync();
        // xrpc.cancel reached the server, which ended the node's enumeration.
        await _node.NotifyEnded.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<PlainHttp> StartPlainHttpAsync(string body, int status = 200)
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        Microsoft.AspNetCore.Hosting.WebHostBuilderKestrelExtensions.UseKestrel(builder.WebHost, o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.MapPost(app, "/rpc/v1", () => Microsoft.AspNetCore.Http.Results.Text(body, "text/html", statusCode: status));
        await app.StartAsync();
        return new PlainHttp(app);
    }

    private sealed class PlainHttp(Microsoft.AspNetCore.Builder.WebApplication app) : IAsyncDisposable
    {
        public static implicit operator Uri(PlainHttp host) => new(new Uri(host.App.Urls.First()), "/rpc/v1");

        public Microsoft.AspNetCore.Builder.WebApplication App { get; } = app;

        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }
}
