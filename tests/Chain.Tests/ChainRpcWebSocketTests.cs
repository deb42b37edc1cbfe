using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Granary.Chain.Model;

namespace Granary.Chain.Tests;

/// <summary>
/// The websocket side of <see cref="Rpc.ChainRpcServer"/> frame by frame, as go-jsonrpc's client speaks it:
/// channel ids, <c>xrpc.ch.val</c>, <c>xrpc.ch.close</c>, <c>xrpc.cancel</c>, concurrent calls and limits.
/// </summary>
public sealed class ChainRpcWebSocketTests : IAsyncLifetime
{
    private readonly ChainRpcFakeNode _node = new();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private ChainRpcTestHost _host = null!;
    private ClientWebSocket _socket = null!;

    public async Task InitializeAsync()
    {
        _host = await ChainRpcTestHost.StartAsync(_node, allowed: null);
        _socket = new ClientWebSocket();
        await _socket.ConnectAsync(new UriBuilder(_host.Url()) { Scheme = "ws" }.Uri, _timeout.Token);
    }

    public async Task DisposeAsync()
    {
        _socket.Dispose();
        await _host.DisposeAsync();
        _timeout.Dispose();
    }

    [Fact]
    public async Task ChainNotify_answers_a_channel_id_then_streams_values_and_closes_on_cancel()
    {
        await SendAsync("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"Filecoin.ChainNotify\",\"params\":[]}");
        var answer = await ReceiveAsync();
        Assert.Equal(5, answer.GetProperty("id").GetInt32());
        var channel = answer.GetProperty("result").GetInt64();

        var first = await ReceiveAsync();
        Assert.Equal("xrpc.ch.val", first.GetProperty("method").GetString());
        Assert.False(first.TryGetProperty("id", out _));
        Assert.Equal(channel, first.GetProperty("params")[0].GetInt64());
        var current = Assert.Single(first.GetProperty("params")[1].EnumerateArray());
        Assert.Equal("current", current.GetProperty("Type").GetString());
        Assert.Equal(10, current.GetProperty("Val").GetProperty("Height").GetInt64());

        await _node.Heads.Writer.WriteAsync([new HeadChange(HeadChangeType.Apply, ChainRpcFakeNode.TipSetAt(11))]);
        var next = await ReceiveAsync();
        Assert.Equal("apply", next.GetProperty("params")[1][0].GetProperty("Type").GetString());

        await SendAsync("{\"jsonrpc\":\"2.0\",\"method\":\"xrpc.cancel\",\"params\":[5]}");
        var close = await ReceiveAsync();
        Assert.Equal("xrpc.ch.close", close.GetProperty("method").GetString());
        Assert.Equal(channel, close.GetProperty("params")[0].GetInt64());
        await _node.NotifyEnded.Task.WaitAsync(_timeout.Token);
    }

    [Fact]
    public async Task Two_channels_get_different_ids_and_values_name_their_channel()
    {
        await SendAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Filecoin.ChainNotify\",\"params\":[]}");
        await SendAsync("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"Filecoin.ChainNotify\",\"params\":[]}");
        var frames = new List<JsonElement>();
        for (var i = 0; i < 4; i++)
        {
            frames.Add(await ReceiveAsync());
        }

        var ids = frames.Where(f => f.TryGetProperty("result", out _)).Select(f => f.GetProperty("result").GetInt64()).ToList();
        Assert.Equal(2, ids.Distinct().Count());
        var valueChannels = frames.Where(f => f.TryGetProperty("method", out _)).Select(f => f.GetProperty("params")[0].GetInt64());
        Assert.Equal(ids.Order(), valueChannels.Order());
    }

    [Fact]
    public async Task Calls_run_concurrently_and_xrpc_cancel_cancels_one()
    {
        await SendAsync("{\"jsonrpc\":\"2.0\",\"id\":\"wait\",\"method\":\"Filecoin.StateWaitMsg\",\"params\":[{\"/\":\"" + ChainRpcFakeNode.Block(1) + "\"},99,-1,true]}");
        await SendAsync("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"Filecoin.ChainHead\",\"params\":[]}");

        // The head is answered while the wait is still blocked.
        var head = await ReceiveAsync();
        Assert.Equal(2, head.GetProperty("id").GetInt32());
        Assert.Equal(10, head.GetProperty("result").GetProperty("Height").GetInt64());

        await SendAsync("{\"jsonrpc\":\"2.0\",\"method\":\"xrpc.cancel\",\"params\":[\"wait\"]}");
        var cancelled = await ReceiveAsync();
        Assert.Equal("wait", cancelled.GetProperty("id").GetString());
        Assert.Equal(1, cancelled.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("context canceled", cancelled.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Errors_over_the_websocket_are_the_same_as_over_HTTP()
    {
        await SendAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Filecoin.Nope\",\"params\":[]}");
        Assert.Equal(-32601, (await ReceiveAsync()).GetProperty("error").GetProperty("code").GetInt32());
        await SendAsync("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"Filecoin.StateMinerInfo\",\"params\":[\"x\"]}");
        var bad = await ReceiveAsync();
        Assert.Equal(-32602, bad.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("param 1 (miner)", bad.GetProperty("error").GetProperty("message").GetString());
        await SendAsync("{not json");
        Assert.Equal(-32700, (await ReceiveAsync()).GetProperty("error").GetProperty("code").GetInt32());
        _node.Refuse.Add("ChainHead");
        await SendAsync("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"Filecoin.ChainHead\",\"params\":[]}");
        Assert.Equal("refused: ChainHead", (await ReceiveAsync()).GetProperty("error").GetProperty("message").GetString());

        // Still serving after all of that.
        _node.Refuse.Clear();
        await SendAsync("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"Filecoin.MpoolGetNonce\",\"params\":[\"t01000\"]}");
        Assert.Equal(42, (await ReceiveAsync()).GetProperty("result").GetInt32());
    }

    [Fact]
    public async Task A_channel_the_caller_may_not_open_is_refused()
    {
        await using var host = await ChainRpcTestHost.StartAsync(_node, allowed: new HashSet<string> { "Filecoin.ChainHead" });
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(host.Url()) { Scheme = "ws" }.Uri, _timeout.Token);
        await SendAsync(socket, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Filecoin.ChainNotify\",\"params\":[]}");
        var refused = await ReceiveAsync(socket);
        Assert.Equal("missing permission to invoke 'Filecoin.ChainNotify' (need 'read')", refused.GetProperty("error").GetProperty("message").GetString());
        Assert.DoesNotContain(_node.Calls, c => c.Method == "ChainNotify");
    }

    [Fact]
    public async Task An_oversized_message_closes_the_socket()
    {
        var chunk = new byte[1 << 20];
        chunk.AsSpan().Fill((byte)' ');
        for (var i = 0; i <= Json.LotusJson.MaxDocumentBytes / chunk.Length && _socket.State == WebSocketState.Open; i++)
        {
            try
            {
                await _socket.SendAsync(chunk, WebSocketMessageType.Text, endOfMessage: false, _timeout.Token);
            }
            catch (WebSocketException)
            {
                break;
            }
        }

        var buffer = new byte[1024];
        WebSocketReceiveResult result;
        try
        {
            result = await _socket.ReceiveAsync(buffer, _timeout.Token);
        }
        catch (WebSocketException)
        {
            return; // the server dropped the connection outright
        }

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, result.CloseStatus);
    }

    private Task SendAsync(string json) => SendAsync(_socket, json);

    private Task<JsonElement> ReceiveAsync() => ReceiveAsync(_socket);

    private async Task SendAsync(ClientWebSocket socket, string json) =>
        await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, _timeout.Token);

    private async Task<JsonElement> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, _timeout.Token);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
            }
        }
    }
}
