using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Gateway.Tests;

/// <summary>A real Kestrel server on 127.0.0.1 for transfer and retrieval tests; it records every request's headers.</summary>
internal sealed class TransferTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TransferTestServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public ConcurrentQueue<(string Method, string Path, Dictionary<string, string> Headers)> Requests { get; } = new();

    public Uri Url(string path) => new($"http://127.0.0.1:{Port}{path}");

    public static async Task<TransferTestServer> StartAsync(RequestDelegate handler, int port = 0, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        services?.Invoke(builder.Services);
        var app = builder.Build();
        TransferTestServer? server = null;
        app.Run(async context =>
        {
            server!.Requests.Enqueue((context.Request.Method, context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            await handler(context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new TransferTestServer(app, new Uri(address).Port);
        return server;
    }

    /// <summary>Serves <paramref name="data"/>; with <paramref name="honourRange"/>, answers <c>Range: bytes=N-</c> with 206.</summary>
    public static RequestDelegate Bytes(byte[] data, bool honourRange = true, Func<HttpContext, long, Task>? afterChunk = null,
        bool chunked = false) => async context =>
    {
        long start = 0;
        var range = context.Request.Headers.Range.ToString();
        if (honourRange && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            start = long.Parse(range["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
            if (start >= data.Length)
            {
                context.Response.StatusCode = 416;
                return;
            }

            context.Response.StatusCode = 206;
            context.Response.Headers.ContentRange = $"bytes {start}-{data.Length - 1}/{data.Length}";
        }

        if (!chunked)
        {
            context.Response.ContentLength = data.Length - start;
        }

        const int Chunk = 16 << 10;
        for (var at = start; at < data.Length; at += Chunk)
        {
            var n = (int)Math.Min(Chunk, data.Length - at);
            await context.Response.Body.WriteAsync(data.AsMemory((int)at, n), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            if (afterChunk is not null)
            {
                await afterChunk(context, at + n);
            }
        }
    };

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _app.StopAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Connections still open are aborted: that is the point when a test "kills" the server.
        }

        await _app.DisposeAsync();
    }
}
