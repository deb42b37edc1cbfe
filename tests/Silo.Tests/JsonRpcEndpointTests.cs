using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Granary.Silo.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Silo.Tests;

/// <summary>The JSON-RPC endpoint against malformed, truncated and oversized requests.</summary>
public sealed class JsonRpcEndpointTests
{
    private readonly ApiToken _tokens = new(RandomNumberGenerator.GetBytes(32));
    private readonly JsonRpcEndpoint _endpoint;

    public JsonRpcEndpointTests()
    {
        RpcMethod[] methods =
        [
            new("Filecoin.Echo", Permission.Read, (p, _) => Task.FromResult<object?>(p.Get<string>(0, "text"))),
            new("Filecoin.Fail", Permission.Read, (_, _) => throw new InvalidOperationException("disk on fire")),
            new("Filecoin.AuthNew", Permission.Admin, (_, _) => Task.FromResult<object?>("secret")),
        ];
        _endpoint = new JsonRpcEndpoint(methods, _tokens, NullLogger<JsonRpcEndpoint>.Instance);
    }

    [Fact]
    public async Task A_valid_call_returns_its_result_and_id()
    {
        var (status, body) = await CallAsync("""{"jsonrpc":"2.0","method":"Filecoin.Echo","params":["hi"],"id":42}""", Permission.Read);

        Assert.Equal(200, status);
        Assert.Equal("hi", body.GetProperty("result").GetString());
        Assert.Equal(42, body.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task Batches_answer_each_call()
    {
        var (_, body) = await CallAsync("""[{"jsonrpc":"2.0","method":"Filecoin.Echo","params":["a"],"id":1},{"jsonrpc":"2.0","method":"Nope","id":2}]""", Permission.Read);

        Assert.Equal("a", body[0].GetProperty("result").GetString());
        Assert.Equal(RpcException.MethodNotFound, body[1].GetProperty("error").GetProperty("code").GetInt32());
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","method":"Filecoin.Ec""", RpcException.ParseError)]        // truncated
    [InlineData("not json", RpcException.ParseError)]
    [InlineData("""{"jsonrpc":"2.0","id":1}""", RpcException.InvalidRequest)]                  // no method
    [InlineData("""{"jsonrpc":"2.0","method":5,"id":1}""", RpcException.InvalidRequest)]
    [InlineData("\"just a string\"", RpcException.InvalidRequest)]
    [InlineData("""{"jsonrpc":"2.0","method":"Filecoin.Missing","id":1}""", RpcException.MethodNotFound)]
    [InlineData("""{"jsonrpc":"2.0","method":"Filecoin.Echo","params":[],"id":1}""", RpcException.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","method":"Filecoin.Echo","params":[7],"id":1}""", RpcException.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","method":"Filecoin.Fail","id":1}""", RpcException.MethodError)]
    [InlineData("""{"jsonrpc":"2.0","method":"Filecoin.AuthNew","id":1}""", RpcException.MethodError)] // read token
    public async Task Bad_requests_get_a_json_rpc_error_never_a_result(string request, int code)
    {
        var (status, body) = await CallAsync(request, Permission.Read);

        Assert.Equal(200, status);
        Assert.False(body.TryGetProperty("result", out _));
        Assert.Equal(code, body.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Deeply_nested_json_is_refused()
    {
        var nested = new string('[', 1000) + new string(']', 1000);
        var (_, body) = await CallAsync($$"""{"jsonrpc":"2.0","method":"Filecoin.Echo","params":{{nested}},"id":1}""", Permission.Read);

        Assert.Equal(RpcException.ParseError, body.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Oversized_bodies_are_refused_without_reading_them_whole()
    {
        var huge = $$"""{"jsonrpc":"2.0","method":"Filecoin.Echo","params":["{{new string('x', JsonRpcEndpoint.MaxBodyBytes)}}"],"id":1}""";
        var (status, body) = await CallAsync(huge, Permission.Read, sendLength: false);

        Assert.Equal(200, status);
        Assert.Contains("larger than", body.GetProperty("error").GetProperty("message").GetString());

        var (declared, _) = await CallAsync(huge, Permission.Read, sendLength: true);
        Assert.Equal(413, declared);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer ")]
    [InlineData("Bearer eyJhbGciOiJIUzI1NiJ9.e30.AAAA")]
    public async Task Missing_or_forged_tokens_get_401(string? authorization)
    {
        var context = Context("""{"jsonrpc":"2.0","method":"Filecoin.Echo","params":["x"],"id":1}""", authorization, true);
        await _endpoint.HandleAsync(context);

        Assert.Equal(401, context.Response.StatusCode);
        Assert.DoesNotContain("result", ReadBody(context));
    }

    private async Task<(int Status, JsonElement Body)> CallAsync(string request, Permission permission, bool sendLength = true)
    {
        var context = Context(request, $"Bearer {_tokens.Issue(Permissions.UpTo(permission))}", sendLength);
        await _endpoint.HandleAsync(context);
        var text = ReadBody(context);
        return (context.Response.StatusCode, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    private static DefaultHttpContext Context(string request, string? authorization, bool sendLength)
    {
        var bytes = Encoding.UTF8.GetBytes(request);
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Body = new MemoryStream(bytes);
        if (sendLength)
        {
            context.Request.ContentLength = bytes.Length;
        }

        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string ReadBody(HttpContext context) =>
        Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
}
