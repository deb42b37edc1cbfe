using System.Text.Json;
using Granary.Chain.Model;
using Granary.Chain.Rpc;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;

namespace Granary.Chain.Tests;

/// <summary>The transport-agnostic dispatcher: Lotus's requests in, go-jsonrpc's answers and error codes out.</summary>
public sealed class ChainRpcServerTests
{
    private readonly ChainRpcFakeNode _node = new();
    private readonly ChainRpcServer _server;

    public ChainRpcServerTests() => _server = new ChainRpcServer(_node);

    [Fact]
    public void Permissions_are_Lotus_perm_tags_for_every_method()
    {
        foreach (var method in LotusJsonVectors.Methods)
        {
            Assert.Equal(LotusJsonVectors.Permission(method), _server.Permissions["Filecoin." + method]);
        }

        Assert.Equal("sign", _server.Permissions["Filecoin.MpoolPushMessage"]);
        Assert.Equal("write", _server.Permissions["Filecoin.MpoolPush"]);
        Assert.Equal("write", _server.Permissions["Filecoin.WalletNew"]);
        Assert.Equal(25, _server.Permissions.Count);
    }

    [Fact]
    public async Task Every_Lotus_example_request_is_accepted_and_reaches_the_node()
    {
        foreach (var method in LotusJsonVectors.Methods.Where(m => m != "ChainNotify"))
        {
            var inputs = LotusJsonVectors.Inputs(method);
            var request = $"{{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"Filecoin.{method}\",\"params\":{(inputs.ValueKind == JsonValueKind.Null ? "null" : inputs.GetRawText())}}}";
            var answer = Parse(await _server.HandleAsync(request));
            Assert.Equal(7, answer.GetProperty("id").GetInt32());
            if (answer.TryGetProperty("error", out var error))
            {
                // The only example the devnet-like node refuses: a BLS key.
                Assert.Equal("WalletNew", method);
                Assert.Equal(1, error.GetProperty("code").GetInt32());
                Assert.Equal("BLS keys are not supported by the devnet", error.GetProperty("message").GetString());
                continue;
            }

            Assert.True(answer.TryGetProperty("result", out _), method);
            Assert.Equal(method, _node.Calls[^1].Method);
        }

        var wait = _node.Calls.Single(c => c.Method == "StateWaitMsg");
        Assert.Equal(42UL, wait.Args[1]);
        var tickets = _node.Calls.Single(c => c.Method == "StateGetRandomnessFromTickets");
        Assert.Equal(DomainSeparationTag.ElectionProofProduction, tickets.Args[0]);
        Assert.Equal("byte array"u8.ToArray(), (byte[])tickets.Args[2]!);
        Assert.Equal(2, ((TipSetKey)tickets.Args[3]!).Cids.Count);
        var push = _node.Calls.Single(c => c.Method == "MpoolPushMessage");
        Assert.Equal(Address.FromId(1234), ((Message)push.Args[0]!).To);
    }

    [Fact]
    public async Task Results_are_Lotus_JSON()
    {
        var answer = Parse(await _server.HandleAsync("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"Filecoin.StateMinerInfo\",\"params\":[\"f01000\",null]}"));
        Assert.Equal("2.0", answer.GetProperty("jsonrpc").GetString());
        Assert.Equal("a", answer.GetProperty("id").GetString());
        var result = answer.GetProperty("result");
        Assert.Equal("t0100", result.GetProperty("Owner").GetString());
        Assert.Equal(2048UL, result.GetProperty("SectorSize").GetUInt64());
        Assert.Equal("1.5", TokenText(await _server.HandleAsync("{\"id\":1,\"method\":\"Filecoin.WalletBalance\",\"params\":[\"t01000\"]}")));
    }

    [Fact]
    public async Task A_missing_or_empty_tipset_key_means_the_head()
    {
        await _server.HandleAsync("{\"id\":1,\"method\":\"Filecoin.StateMinerPower\",\"params\":[\"t01000\",[]]}");
        await _server.HandleAsync("{\"id\":2,\"method\":\"Filecoin.StateMinerPower\",\"params\":[\"t01000\"]}");
        Assert.All(_node.Calls, c => Assert.Null(c.Args[1]));
    }

    [Fact]
    public async Task Null_answers_are_null_results()
    {
        var answer = Parse(await _server.HandleAsync("{\"id\":1,\"method\":\"Filecoin.StateSectorPreCommitInfo\",\"params\":[\"t01000\",0,null]}"));
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("result").ValueKind);
    }

    [Fact]
    public async Task Unknown_methods_are_32601()
    {
        var answer = Parse(await _server.HandleAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Filecoin.ChainExport\",\"params\":[]}"));
        Assert.Equal(-32601, Code(answer));
        Assert.Equal("method 'Filecoin.ChainExport' not found", Message(answer));
    }

    [Theory]
    [InlineData("Filecoin.StateMinerInfo", "[\"nobody\",null]", "Filecoin.StateMinerInfo: param 1 (miner) is not valid: 'nobody' is not an address")]
    [InlineData("Filecoin.StateMinerInfo", "[]", "wrong param count (method 'Filecoin.StateMinerInfo'): 0, expected 1 to 2")]
    [InlineData("Filecoin.ChainHead", "[1]", "wrong param count (method 'Filecoin.ChainHead'): 1, expected 0")]
    [InlineData("Filecoin.StateMinerPartitions", "[\"t01000\",-1,null]", "param 2 (deadline index) is not valid")]
    [InlineData("Filecoin.MpoolPush", "[null]", "param 1 (signed message) is missing")]
    [InlineData("Filecoin.MpoolPushMessage", "[{\"To\":\"t01000\"},null]", "param 1 (message) is not valid: Message: missing From")]
    [InlineData("Filecoin.WalletNew", "[\"ed25519\"]", "key type 'ed25519' is not supported")]
    [InlineData("Filecoin.StateWaitMsg", "[{\"/\":\"bafy\"},5]", "param 1 (message CID) is not valid: 'bafy' is not a CID")]
    [InlineData("Filecoin.ChainHead", "{\"a\":1}", "params must be an array")]
    public async Task Bad_params_are_32602_with_a_message_naming_the_param(string method, string parameters, string expected)
    {
        var answer = Parse(await _server.HandleAsync($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"{method}\",\"params\":{parameters}}}"));
        Assert.Equal(-32602, Code(answer));
        Assert.Contains(expected, Message(answer));
        Assert.Empty(_node.Calls);
    }

    [Fact]
    public async Task A_refusal_by_the_chain_is_code_1_with_its_reason()
    {
        _node.Refuse.Add("StateLookupID");
        var answer = Parse(await _server.HandleAsync("{\"id\":1,\"method\":\"Filecoin.StateLookupID\",\"params\":[\"t01000\",null]}"));
        Assert.Equal(1, Code(answer));
        Assert.Equal("refused: StateLookupID", Message(answer));
        Assert.False(answer.TryGetProperty("result", out _));
    }

    [Fact]
    public async Task Callers_without_the_permission_are_refused_before_the_node_is_asked()
    {
        var readOnly = new HashSet<string>(_server.Permissions.Where(p => p.Value == "read").Select(p => p.Key));
        var answer = Parse(await _server.HandleAsync("{\"id\":1,\"method\":\"Filecoin.MpoolPushMessage\",\"params\":[{\"To\":\"t01000\",\"From\":\"t01001\"},null]}", readOnly.Contains));
        Assert.Equal(1, Code(answer));
        Assert.Equal("missing permission to invoke 'Filecoin.MpoolPushMessage' (need 'sign')", Message(answer));
        Assert.Empty(_node.Calls);
        Assert.True(Parse(await _server.HandleAsync("{\"id\":1,\"method\":\"Filecoin.ChainHead\"}", readOnly.Contains)).TryGetProperty("result", out _));
    }

    [Theory]
    [InlineData("{\"id\":1,\"method\":", -32700)]
    [InlineData("not json", -32700)]
    [InlineData("[]", -32600)]
    [InlineData("42", -32600)]
    [InlineData("{\"id\":1,\"params\":[]}", -32600)]
    [InlineData("{\"id\":1,\"method\":5}", -32600)]
    public async Task Malformed_requests_are_parse_errors_or_invalid_requests(string request, int code) =>
        Assert.Equal(code, Code(Parse(await _server.HandleAsync(request))));

    [Fact]
    public async Task An_oversized_request_is_refused_unparsed()
    {
        var answer = Parse(await _server.HandleAsync(new string(' ', Json.LotusJson.MaxDocumentBytes + 1)));
        Assert.Equal(-32600, Code(answer));
        Assert.Contains("larger than", Message(answer));
    }

    [Fact]
    public async Task Batches_are_answered_in_order_and_notifications_get_no_answer()
    {
        var answer = await _server.HandleAsync(
            "[{\"id\":1,\"method\":\"Filecoin.MpoolGetNonce\",\"params\":[\"t01000\"]},"
            + "{\"method\":\"Filecoin.ChainHead\",\"params\":[]},"
            + "{\"id\":3,\"method\":\"Filecoin.Nope\",\"params\":[]},"
            + "{\"id\":4,\"method\":\"Filecoin.ChainHead\",\"params\":[]}]");
        var items = Parse(answer).EnumerateArray().ToList();
        Assert.Equal([1, 3, 4], items.Select(i => i.GetProperty("id").GetInt32()));
        Assert.Equal(42UL, items[0].GetProperty("result").GetUInt64());
        Assert.Equal(-32601, Code(items[1]));
        Assert.Equal(["MpoolGetNonce", "ChainHead", "ChainHead"], _node.Calls.Select(c => c.Method));

        Assert.Equal("", await _server.HandleAsync("{\"jsonrpc\":\"2.0\",\"method\":\"Filecoin.ChainHead\",\"params\":[]}"));
        var tooMany = "[" + string.Join(",", Enumerable.Repeat("{\"id\":1,\"method\":\"Filecoin.ChainHead\"}", ChainRpcServer.MaxBatchSize + 1)) + "]";
        Assert.Equal(-32600, Code(Parse(await _server.HandleAsync(tooMany))));
    }

    [Fact]
    public async Task ChainNotify_over_HTTP_is_refused_as_go_jsonrpc_does()
    {
        var answer = Parse(await _server.HandleAsync("{\"id\":1,\"method\":\"Filecoin.ChainNotify\",\"params\":[]}"));
        Assert.Equal(-32601, Code(answer));
        Assert.Contains("no out channel support", Message(answer));
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    private static int Code(JsonElement answer) => answer.GetProperty("error").GetProperty("code").GetInt32();

    private static string Message(JsonElement answer) => answer.GetProperty("error").GetProperty("message").GetString()!;

    private static string TokenText(string answer) =>
        new Filecoin.Tokens.TokenAmount(System.Numerics.BigInteger.Parse(Parse(answer).GetProperty("result").GetString()!)).ToString().Replace(" FIL", "");
}
