using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Api;

/// <summary>
/// <c>POST /rpc/v0</c>: JSON-RPC 2.0 with Lotus conventions. Every call needs
/// <c>Authorization: Bearer TOKEN</c>; a missing or forged token is answered 401, a token without the
/// method's permission gets a JSON-RPC error. Bodies are bounded.
/// </summary>
public sealed partial class JsonRpcEndpoint(IEnumerable<RpcMethod> methods, ApiToken tokens, ILogger<JsonRpcEndpoint> logger)
{
    /// <summary>Largest request body accepted.</summary>
    public const int MaxBodyBytes = 4 << 20;

    private readonly Dictionary<string, RpcMethod> _methods = methods.ToDictionary(m => m.Name, StringComparer.Ordinal);

    /// <summary>Handles one HTTP request.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var allowed = Authenticate(context.Request, out var reason);
        if (allowed is null)
        {
            LogRefused(context.Connection.RemoteIpAddress?.ToString() ?? "?", reason!);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await context.Response.WriteAsJsonAsync(new { error = reason });
            return;
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await context.Response.WriteAsJsonAsync(new { error = $"request body is larger than {MaxBodyBytes} bytes" });
            return;
        }

        JsonDocument request;
        try
        {
            request = await JsonDocument.ParseAsync(new BoundedStream(context.Request.Body, MaxBodyBytes),
                new JsonDocumentOptions { MaxDepth = 64 }, context.RequestAborted);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            await WriteAsync(context, Error(null, RpcException.ParseError, $"parse error: {e.Message}"));
            return;
        }

        using (request)
        {
            object response = request.RootElement.ValueKind == JsonValueKind.Array
                ? await Task.WhenAll(request.RootElement.EnumerateArray().Select(r => CallAsync(r, allowed, context.RequestAborted)))
                : await CallAsync(request.RootElement, allowed, context.RequestAborted);
            await WriteAsync(context, response);
        }
    }

    private IReadOnlyList<Permission>? Authenticate(HttpRequest request, out string? reason)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            reason = "missing API token (send Authorization: Bearer TOKEN; see `granary auth api-info`)";
            return null;
        }

        return tokens.Verify(header["Bearer ".Length..].Trim(), out reason);
    }

    private async Task<Dictionary<string, object?>> CallAsync(JsonElement call, IReadOnlyList<Permission> allowed, CancellationToken ct)
    {
        var id = call.ValueKind == JsonValueKind.Object && call.TryGetProperty("id", out var idElement) ? idElement.Clone() : (JsonElement?)null;
        if (call.ValueKind != JsonValueKind.Object
            || !call.TryGetProperty("method", out var methodElement) || methodElement.ValueKind != JsonValueKind.String)
        {
            return Error(id, RpcException.InvalidRequest, "invalid request: expected {\"jsonrpc\":\"2.0\",\"method\":...,\"params\":[...],\"id\":...}");
        }

        var name = methodElement.GetString()!;
        if (!_methods.TryGetValue(name, out var method))
        {
            return Error(id, RpcException.MethodNotFound, $"method '{name}' not found");
        }

        if (!allowed.Contains(method.Required))
        {
            return Error(id, RpcException.MethodError, $"missing permission to invoke '{name}' (need '{method.Required.Name()}')");
        }

        JsonElement[] args = call.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Array
            ? [.. p.EnumerateArray()]
            : [];
        try
        {
            var result = await method.Invoke(new RpcParams(args), ct);
            return new Dictionary<string, object?> { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = result };
        }
        catch (RpcException e)
        {
            return Error(id, e.Code, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogMethodFailed(e, name);
            return Error(id, RpcException.MethodError, e.Message);
        }
    }

    private static Dictionary<string, object?> Error(JsonElement? id, int code, string message) => new()
    {
        ["jsonrpc"] = "2.0",
        ["id"] = id,
        ["error"] = new Dictionary<string, object> { ["code"] = code, ["message"] = message },
    };

    private static Task WriteAsync(HttpContext context, object response) =>
        context.Response.WriteAsJsonAsync(response, RpcJson.Options, context.RequestAborted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "API call from {Remote} refused: {Reason}")]
    private partial void LogRefused(string remote, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "API method {Method} failed")]
    private partial void LogMethodFailed(Exception exception, string method);
}
