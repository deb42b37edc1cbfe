using System.Text;
using System.Text.Json;
using Granary.Chain.Json;
using Granary.Chain.Rpc;
using Granary.Silo.Api;
using Granary.Silo.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Chain;

/// <summary>
/// <c>/rpc/v0</c> and <c>/rpc/v1</c> of <c>granary devnet run</c>: Lotus's FullNode JSON-RPC over HTTP POST and over a
/// websocket upgrade on the same paths, served by <see cref="ChainRpcServer"/>. Every request needs a JWT signed with
/// the devnet repo's secret, as <c>Authorization: Bearer TOKEN</c> or <c>?token=TOKEN</c> (what Lotus's JS client sends
/// on websockets); a missing or forged token is answered 401. Each method needs its Lotus permission, and
/// permissions nest (admin ⊃ sign ⊃ write ⊃ read). <c>Filecoin.Version</c>, which Lotus clients call first, is
/// answered here over HTTP with Lotus's shape.
/// </summary>
internal sealed partial class DevnetRpcEndpoint(ChainRpcServer server, ApiToken tokens, int blockDelaySeconds, ILogger<DevnetRpcEndpoint> logger)
{
    /// <summary>Largest request body: the chain's JSON document limit (16 MiB).</summary>
    public const int MaxBodyBytes = LotusJson.MaxDocumentBytes;

    /// <summary>Lotus's FullAPIVersion1 (2.3.0) and FullAPIVersion0 (1.5.0), packed as its semver.</summary>
    public const uint ApiVersion1 = (2 << 16) | (3 << 8);

    /// <inheritdoc cref="ApiVersion1" />
    public const uint ApiVersion0 = (1 << 16) | (5 << 8);

    private const string VersionMethod = "Filecoin.Version";

    // Writes "+" in the version as is (the default encoder escapes it, which is valid but unlike Lotus).
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Handles a request to <c>/rpc/<paramref name="apiVersion"/></c>.</summary>
    public async Task HandleAsync(HttpContext context, string apiVersion)
    {
        var permissions = Authenticate(context.Request, out var reason);
        if (permissions is null)
        {
            LogRefused(context.Connection.RemoteIpAddress?.ToString() ?? "?", reason!);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await context.Response.WriteAsJsonAsync(new { error = reason });
            return;
        }

        bool Authorize(string method) =>
            !server.Permissions.TryGetValue(method, out var required) || !Permissions.TryParse(required, out var need)
            || permissions.Any(p => p >= need);

        if (context.WebSockets.IsWebSocketRequest)
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await server.RunWebSocketAsync(socket, Authorize, context.RequestAborted);
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "POST";
            return;
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await context.Response.WriteAsJsonAsync(new { error = $"request body is larger than {MaxBodyBytes} bytes" });
            return;
        }

        string body;
        try
        {
            using var reader = new StreamReader(new BoundedStream(context.Request.Body, MaxBodyBytes), Encoding.UTF8);
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }
        catch (InvalidDataException e)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await context.Response.WriteAsJsonAsync(new { error = e.Message });
            return;
        }

        var answer = VersionAnswer(body, apiVersion) ?? await server.HandleAsync(body, Authorize, context.RequestAborted);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer, context.RequestAborted);
    }

    private IReadOnlyList<Permission>? Authenticate(HttpRequest request, out string? reason)
    {
        var header = request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim()
            : request.Query["token"].ToString() is { Length: > 0 } query ? query
            : null;
        if (token is null)
        {
            reason = "missing API token (send Authorization: Bearer TOKEN or ?token=TOKEN; see `granary devnet api-info`)";
            return null;
        }

        return tokens.Verify(token, out reason);
    }

    // A single Filecoin.Version call, answered as Lotus does; null for anything else (batches go to the server).
    private string? VersionAnswer(string body, string apiVersion)
    {
        if (!body.Contains(VersionMethod, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = LotusJson.MaxDepth });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String
                || method.GetString() != VersionMethod)
            {
                return null;
            }

            var id = root.TryGetProperty("id", out var idElement) ? idElement.Clone() : (JsonElement?)null;
            return JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["jsonrpc"] = "2.0",
                ["id"] = id,
                ["result"] = new Dictionary<string, object>
                {
                    ["Version"] = $"{SiloIdentity.Version}+devnet",
                    ["APIVersion"] = apiVersion == "v0" ? ApiVersion0 : ApiVersion1,
                    ["BlockDelay"] = blockDelaySeconds,
                },
            }, Relaxed);
        }
        catch (JsonException)
        {
            return null; // the server answers the parse error
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "devnet API call from {Remote} refused: {Reason}")]
    private partial void LogRefused(string remote, string reason);
}
