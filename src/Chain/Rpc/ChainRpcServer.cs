using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Granary.Chain.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Chain.Rpc;

/// <summary>
/// Serves an <see cref="IChainNode"/> as Lotus's FullNode JSON-RPC API, independent of transport: the host
/// passes an HTTP POST body to <see cref="HandleAsync(string, Func{string, bool}?, CancellationToken)"/>
/// (single calls and batches) and an accepted websocket to
/// <see cref="RunWebSocketAsync(WebSocket, Func{string, bool}?, CancellationToken)"/>, where
/// <c>Filecoin.ChainNotify</c> streams head changes over go-jsonrpc's channel protocol.
/// </summary>
/// <remarks>
/// The host authenticates (the silo checks the JWT) and passes what the caller may do as a predicate over
/// method names, built from <see cref="Permissions"/>. Errors are go-jsonrpc's: -32700 unparsable JSON, -32600
/// not a request, -32601 unknown method, -32602 wrong or malformed params (the message names the param), and
/// code 1 with the chain's reason when the node refuses (<see cref="ChainException"/>) or the caller lacks the
/// permission.
/// </remarks>
public sealed partial class ChainRpcServer
{
    /// <summary>Most calls in one HTTP batch.</summary>
    public const int MaxBatchSize = 100;

    private readonly IChainNode _node;
    private readonly ILogger _logger;

    /// <summary>Serves <paramref name="node"/>.</summary>
    /// <param name="node">The chain answering the calls.</param>
    /// <param name="logger">Where failures of the node (not refusals) are logged.</param>
    /// <param name="options">The JSON conventions; <see cref="LotusJson.Options"/> (addresses with <c>t</c>) by default.</param>
    public ChainRpcServer(IChainNode node, ILogger<ChainRpcServer>? logger = null, JsonSerializerOptions? options = null)
    {
        _node = node ?? throw new ArgumentNullException(nameof(node));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Options = options ?? LotusJson.Options;
        Permissions = ChainRpcMethods.All.Values.ToDictionary(m => m.Name, m => m.Permission, StringComparer.Ordinal);
    }

    /// <summary>
    /// Each served method (<c>Filecoin.ChainHead</c>, …) and the permission Lotus requires for it: <c>read</c>,
    /// <c>write</c>, <c>sign</c> or <c>admin</c> (each including the ones before it, as Lotus's tokens do).
    /// </summary>
    public IReadOnlyDictionary<string, string> Permissions { get; }

    /// <summary>The JSON conventions used.</summary>
    public JsonSerializerOptions Options { get; }

    /// <summary>Answers an HTTP POST body with every method allowed.</summary>
    public Task<string> HandleAsync(string requestJson, CancellationToken cancellationToken = default) =>
        HandleAsync(requestJson, null, cancellationToken);

    /// <summary>
    /// Answers an HTTP POST body: one call or a batch (an array of calls, answered in order). Returns the
    /// response JSON, or an empty string when every call was a notification (no <c>id</c>), which gets no answer.
    /// </summary>
    /// <param name="requestJson">The body.</param>
    /// <param name="authorize">Whether the caller may call a method (by full name); null allows all.</param>
    /// <param name="cancellationToken">The request's lifetime (aborting it cancels the calls).</param>
    public async Task<string> HandleAsync(string requestJson, Func<string, bool>? authorize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestJson);
        if (requestJson.Length > LotusJson.MaxDocumentBytes)
        {
            return Text(JsonRpcFrames.Error(null, JsonRpcErrorCodes.InvalidRequest, $"request is larger than {LotusJson.MaxDocumentBytes} bytes"));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(requestJson, new JsonDocumentOptions { MaxDepth = LotusJson.MaxDepth });
        }
        catch (JsonException e)
        {
            return Text(JsonRpcFrames.Error(null, JsonRpcErrorCodes.ParseError, $"Parse error: {e.Message}"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                return Text(await CallAsync(root, authorize, websocket: false, cancellationToken).ConfigureAwait(false));
            }

            var count = root.GetArrayLength();
            if (count is 0 or > MaxBatchSize)
            {
                return Text(JsonRpcFrames.Error(null, JsonRpcErrorCodes.InvalidRequest, $"a batch has 1 to {MaxBatchSize} calls, got {count}"));
            }

            // In order, one after another: a batch may push messages whose nonces depend on each other.
            var answers = new List<byte[]>();
            foreach (var call in root.EnumerateArray())
            {
                if (await CallAsync(call, authorize, websocket: false, cancellationToken).ConfigureAwait(false) is { } answer)
                {
                    answers.Add(answer);
                }
            }

            return answers.Count == 0 ? "" : "[" + string.Join(",", answers.Select(Text)) + "]";
        }
    }

    /// <summary>Serves calls over an accepted websocket with every method allowed, until either side closes it.</summary>
    public Task RunWebSocketAsync(WebSocket socket, CancellationToken cancellationToken = default) =>
        RunWebSocketAsync(socket, null, cancellationToken);

    /// <summary>
    /// Serves calls over an accepted websocket until the peer closes it or <paramref name="cancellationToken"/>
    /// fires: calls run concurrently and are answered as they finish; <c>Filecoin.ChainNotify</c> answers with a
    /// channel id and then sends <c>xrpc.ch.val [id, [HeadChange…]]</c> per change and <c>xrpc.ch.close [id]</c>
    /// at the end; <c>xrpc.cancel [requestId]</c> cancels a call or closes its channel.
    /// </summary>
    /// <param name="socket">The socket (the host accepted it and owns its disposal).</param>
    /// <param name="authorize">Whether the caller may call a method (by full name); null allows all.</param>
    /// <param name="cancellationToken">Stops serving (the socket is closed).</param>
    public Task RunWebSocketAsync(WebSocket socket, Func<string, bool>? authorize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return new ChainRpcWebSocketSession(this, socket, authorize).RunAsync(cancellationToken);
    }

    /// <summary>Answers one call; null for a notification. Channel methods are refused unless over a websocket (the session handles them).</summary>
    internal async Task<byte[]?> CallAsync(JsonElement call, Func<string, bool>? authorize, bool websocket, CancellationToken cancellationToken)
    {
        JsonElement? id = call.ValueKind == JsonValueKind.Object && call.TryGetProperty("id", out var idElement) && idElement.ValueKind != JsonValueKind.Null
            ? idElement
            : null;
        if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("method", out var methodElement) || methodElement.ValueKind != JsonValueKind.String)
        {
            return JsonRpcFrames.Error(id, JsonRpcErrorCodes.InvalidRequest, "Invalid request: expected {\"jsonrpc\":\"2.0\",\"id\":…,\"method\":\"Filecoin.…\",\"params\":[…]}");
        }

        var name = methodElement.GetString()!;
        var answer = await InvokeAsync(id, name, call, authorize, websocket, cancellationToken).ConfigureAwait(false);
        return id is null ? null : answer;
    }

    /// <summary>Checks and runs a call (not a channel method); its answer for <paramref name="id"/>.</summary>
    internal async Task<byte[]> InvokeAsync(JsonElement? id, string name, JsonElement call, Func<string, bool>? authorize, bool websocket, CancellationToken cancellationToken)
    {
        if (Check(id, name, call, authorize, out var method, out var parameters) is { } refusal)
        {
            return refusal;
        }

        if (method!.Invoke is null)
        {
            return JsonRpcFrames.Error(id, JsonRpcErrorCodes.MethodNotFound,
                websocket ? $"method '{name}' is a channel method" : $"method '{name}' not supported in this mode (no out channel support): subscribe over a websocket");
        }

        try
        {
            var result = await method.Invoke(_node, parameters!, cancellationToken).ConfigureAwait(false);
            return JsonRpcFrames.Result(id, result.Value, result.Type, Options);
        }
        catch (RpcParamsException e)
        {
            return JsonRpcFrames.Error(id, JsonRpcErrorCodes.InvalidParams, e.Message);
        }
        catch (ChainException e)
        {
            return JsonRpcFrames.Error(id, JsonRpcErrorCodes.MethodError, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return JsonRpcFrames.Error(id, JsonRpcErrorCodes.MethodError, "context canceled");
        }
        catch (Exception e)
        {
            LogMethodFailed(e, name);
            return JsonRpcFrames.Error(id, JsonRpcErrorCodes.MethodError, $"{name} failed: {e.Message}");
        }
    }

    /// <summary>Finds the method, checks the permission and the params' shape; the refusal for <paramref name="id"/>, or null.</summary>
    internal byte[]? Check(JsonElement? id, string name, JsonElement call, Func<string, bool>? authorize, out ChainRpcMethod? method, out RpcParams? parameters)
    {
        parameters = null;
        if (!ChainRpcMethods.All.TryGetValue(name, out method))
        {
            return JsonRpcFrames.Error(id, JsonRpcErrorCodes.MethodNotFound, $"method '{name}' not found");
        }

        if (authorize is not null && !authorize(name))
        {
            return JsonRpcFrames.Error(id, JsonRpcErrorCodes.MethodError, $"missing permission to invoke '{name}' (need '{method.Permission}')");
        }

        JsonElement[] values = [];
        if (call.TryGetProperty("params", out var p) && p.ValueKind != JsonValueKind.Null)
        {
            if (p.ValueKind != JsonValueKind.Array)
            {
                return JsonRpcFrames.Error(id, JsonRpcErrorCodes.InvalidParams, $"{name}: params must be an array");
            }

            values = [.. p.EnumerateArray()];
        }

        if (values.Length < method.MinParams || values.Length > method.MaxParams)
        {
            var expected = method.MinParams == method.MaxParams ? $"{method.MaxParams}" : $"{method.MinParams} to {method.MaxParams}";
            return JsonRpcFrames.Error(id, JsonRpcErrorCodes.InvalidParams, $"wrong param count (method '{name}'): {values.Length}, expected {expected}");
        }

        parameters = new RpcParams(name, values, Options);
        return null;
    }

    /// <summary>The node served.</summary>
    internal IChainNode Node => _node;

    /// <summary>The logger.</summary>
    internal ILogger Logger => _logger;

    private static string Text(byte[]? json) => json is null ? "" : Encoding.UTF8.GetString(json);

    [LoggerMessage(Level = LogLevel.Error, Message = "chain RPC method {Method} failed")]
    private partial void LogMethodFailed(Exception exception, string method);
}
