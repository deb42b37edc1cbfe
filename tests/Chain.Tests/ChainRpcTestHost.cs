using System.Net;
using Granary.Chain.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.Chain.Tests;

/// <summary>
/// <see cref="ChainRpcServer"/> behind real Kestrel on 127.0.0.1 (a free port), as the silo will host it:
/// <c>POST /rpc/v0|v1</c> for calls and websocket upgrades on the same paths. With a token set, requests must
/// carry <c>Authorization: Bearer TOKEN</c> (or <c>?token=</c>, as Lotus also accepts) and get 401 otherwise;
/// <paramref name="allowed"/> stands in for the JWT's permissions.
/// </summary>
internal sealed class ChainRpcTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ChainRpcTestHost(WebApplication app, Uri baseUrl, ChainRpcServer server)
    {
        _app = app;
        BaseUrl = baseUrl;
        Server = server;
    }

    public Uri BaseUrl { get; }

    public ChainRpcServer Server { get; }

    /// <summary>The v1 endpoint with the token, as a FULLNODE_API_INFO multiaddr.</summary>
    public string ApiInfo(string? token = null) => $"{(token is null ? "" : token + ":")}/ip4/127.0.0.1/tcp/{BaseUrl.Port}/http";

    public Uri Url(string version = "v1") => new(BaseUrl, $"/rpc/{version}");

    public static async Task<ChainRpcTestHost> StartAsync(IChainNode node, string? token = null, IReadOnlySet<string>? allowed = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new ChainRpcServer(node);
        Func<string, bool>? authorize = allowed is null ? null : allowed.Contains;
        app.UseWebSockets();
        foreach (var path in new[] { "/rpc/v0", "/rpc/v1" })
        {
            app.Map(path, async context =>
            {
                if (token is not null && !Authorized(context, token))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    await context.Response.WriteAsync("unauthorized");
                    return;
                }

                if (context.WebSockets.IsWebSocketRequest)
                {
                    using var socket = await context.WebSockets.AcceptWebSocketAsync();
                    await server.RunWebSocketAsync(socket, authorize, context.RequestAborted);
                    return;
                }

                if (!HttpMethods.IsPost(context.Request.Method))
                {
                    context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                    return;
                }

                using var reader = new StreamReader(context.Request.Body);
                var answer = await server.HandleAsync(await reader.ReadToEndAsync(context.RequestAborted), authorize, context.RequestAborted);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(answer, context.RequestAborted);
            });
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ChainRpcTestHost(app, new Uri(address), server);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static bool Authorized(HttpContext context, string token) =>
        context.Request.Headers.Authorization.ToString() == "Bearer " + token || context.Request.Query["token"] == token;
}
