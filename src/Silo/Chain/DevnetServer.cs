using System.Net;
using Granary.Chain;
using Granary.Chain.Rpc;
using Granary.Silo.Api;
using Granary.Silo.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Chain;

/// <summary>
/// The web host of <c>granary devnet run</c>: Kestrel on one listen address serving <see cref="DevnetRpcEndpoint"/>
/// at <c>/rpc/v0</c> and <c>/rpc/v1</c> for a chain node (the devnet), with the console lifetime (SIGTERM and
/// Ctrl-C stop it cleanly).
/// </summary>
public static class DevnetServer
{
    /// <summary>How long a clean stop may take.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(8);

    /// <summary>Builds the host (not started) for <paramref name="node"/>; the caller owns the node.</summary>
    public static WebApplication Build(IChainNode node, ApiToken tokens, HttpListenAddress listen, int blockDelaySeconds,
        string contentRoot, Action<ILoggingBuilder>? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = contentRoot });
        builder.Logging.ClearProviders();
        ConfigureLogging(builder.Logging);
        logging?.Invoke(builder.Logging);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.UseKestrel(k =>
        {
            if (IPAddress.TryParse(listen.Host, out var ip))
            {
                k.Listen(ip, listen.Port);
            }
            else
            {
                foreach (var resolved in Dns.GetHostAddresses(listen.Host))
                {
                    k.Listen(resolved, listen.Port);
                }
            }

            k.Limits.MaxRequestBodySize = DevnetRpcEndpoint.MaxBodyBytes;
        });
        builder.Services.AddSingleton(sp => new ChainRpcServer(node, sp.GetRequiredService<ILogger<ChainRpcServer>>()));
        builder.Services.AddSingleton(sp => new DevnetRpcEndpoint(sp.GetRequiredService<ChainRpcServer>(), tokens, blockDelaySeconds,
            sp.GetRequiredService<ILogger<DevnetRpcEndpoint>>()));

        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        foreach (var version in new[] { "v0", "v1" })
        {
            app.Map($"/rpc/{version}", (HttpContext c, DevnetRpcEndpoint rpc) => rpc.HandleAsync(c, version));
        }

        return app;
    }

    /// <summary>
    /// Single-line console logs on stderr (stdout carries only the lines scripts read: <c>FULLNODE_API_INFO</c> and
    /// the faucet), ASP.NET's own at warning and above.
    /// </summary>
    public static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff "; });
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    /// <summary>The address the started host listens on (the real port when the listen address asked for port 0).</summary>
    public static HttpListenAddress BoundAddress(WebApplication app, HttpListenAddress listen)
    {
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return bound is not null && Uri.TryCreate(bound, UriKind.Absolute, out var uri) ? listen with { Port = uri.Port } : listen;
    }
}
