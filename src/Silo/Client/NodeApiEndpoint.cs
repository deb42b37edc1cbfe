using System.Text;
using System.Text.Json;
using Granary.Chain;
using Granary.Chain.Devnet;
using Granary.Chain.Json;
using Granary.Chain.Rpc;
using Granary.Silo.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Client;

/// <summary>
/// <c>POST /rpc/v1</c> on a silo's API port: Lotus's FullNode JSON-RPC for the chain this silo uses, so that tools on
/// the machine — <c>granary client</c> first — reach the embedded devnet, which lives inside the silo process (a
/// lotus-miner has a lotus daemon beside it for that). The silo's own tokens authenticate (the same as
/// <c>/rpc/v0</c>); each method needs its Lotus permission. Besides the chain's methods it answers
/// <c>Filecoin.WalletDefaultAddress</c>: the embedded devnet's faucet, whose key the node holds, so
/// <c>MpoolPushMessage</c> from it funds client wallets. With <c>[Chain] ApiInfo</c> set the silo's chain is a remote
/// node, and this answers 404 naming it: tools should call that node.
/// </summary>
public static partial class NodeApiEndpoint
{
    /// <summary>The path served.</summary>
    public const string Path = "/rpc/v1";

    /// <summary>Lotus's method naming the wallet's default address.</summary>
    public const string DefaultAddressMethod = "Filecoin.WalletDefaultAddress";

    /// <summary>Handles one request.</summary>
    public static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var chain = services.GetRequiredService<IChainNode>();
        var tokens = services.GetRequiredService<ApiToken>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(NodeApiEndpoint).FullName!);
        var header = context.Request.Headers.Authorization.ToString();
        var permissions = header.StartsWith("Bearer ", StringComparison.Ordinal)
            ? tokens.Verify(header["Bearer ".Length..].Trim(), out var reason)
            : Refuse(out reason);
        if (permissions is null)
        {
            LogRefused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", reason!);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await context.Response.WriteAsJsonAsync(new { error = reason });
            return;
        }

        if (chain is not DevnetNode devnet)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            var node = chain is ChainRpcClient client ? client.Endpoint.ToString() : chain.GetType().Name;
            await context.Response.WriteAsJsonAsync(new { error = $"this silo's chain is the node at {node} ([Chain] ApiInfo): call that node's API" });
            return;
        }

        string body;
        try
        {
            using var reader = new StreamReader(new BoundedStream(context.Request.Body, LotusJson.MaxDocumentBytes), Encoding.UTF8);
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }
        catch (InvalidDataException e)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await context.Response.WriteAsJsonAsync(new { error = e.Message });
            return;
        }

        var server = new ChainRpcServer(chain, services.GetService<ILogger<ChainRpcServer>>());
        bool Authorize(string method) =>
            !server.Permissions.TryGetValue(method, out var required) || !Permissions.TryParse(required, out var need)
            || permissions.Any(p => p >= need);

        var answer = DefaultAddressAnswer(body, devnet) ?? await server.HandleAsync(body, Authorize, context.RequestAborted);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer, context.RequestAborted);
    }

    private static IReadOnlyList<Permission>? Refuse(out string reason)
    {
        reason = "missing API token (send Authorization: Bearer TOKEN; see `granary auth api-info`)";
        return null;
    }

    // A single WalletDefaultAddress call: the faucet. Null for anything else (the chain's server answers).
    private static string? DefaultAddressAnswer(string body, DevnetNode devnet)
    {
        if (!body.Contains(DefaultAddressMethod, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = LotusJson.MaxDepth });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String
                || method.GetString() != DefaultAddressMethod)
            {
                return null;
            }

            var id = root.TryGetProperty("id", out var idElement) ? idElement.Clone() : (JsonElement?)null;
            return JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["jsonrpc"] = "2.0",
                ["id"] = id,
                ["result"] = devnet.FaucetAddress.ToString('t'),
            });
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "node API call from {Remote} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string remote, string reason);
}
