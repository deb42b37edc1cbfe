using System.Net;
using System.Security.Cryptography;
using Granary.Silo.Cli;
using Granary.Silo.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Client;

/// <summary>
/// The client's HTTP server for an online deal's data: Kestrel on <c>HOST:PORT</c> serving one CAR file at
/// <c>GET/HEAD /deal/{uuid}.car</c> to requests carrying <c>Authorization: Bearer TOKEN</c> (a random token sent to
/// the provider in the transfer's headers, as Boost's client does), with <c>Range</c> (206) so an interrupted pull
/// resumes. Anything else is 404, a wrong or missing token 401.
/// </summary>
public sealed class CarServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _bytesServed;

    private CarServer(WebApplication app, string path, string token)
    {
        _app = app;
        Path = path;
        Token = token;
    }

    /// <summary>The URL path of the CAR.</summary>
    public string Path { get; }

    /// <summary>The bearer token the provider must send.</summary>
    public string Token { get; }

    /// <summary>The URL the provider pulls from.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Bytes of the CAR sent so far (over every request).</summary>
    public long BytesServed => Interlocked.Read(ref _bytesServed);

    /// <summary>Starts serving <paramref name="carFile"/> for deal <paramref name="deal"/> on <paramref name="listen"/>.</summary>
    /// <param name="carFile">The CAR.</param>
    /// <param name="deal">The deal UUID (the file name in the URL).</param>
    /// <param name="listen">Where to listen (port 0 picks a free one).</param>
    /// <param name="announceHost">The host written in the URL; null: the listen host (the loopback address for a wildcard bind).</param>
    /// <exception cref="CliError">Cannot listen there.</exception>
    public static async Task<CarServer> StartAsync(string carFile, Guid deal, HttpListenAddress listen, string? announceHost)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var path = $"/deal/{deal}.car";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            if (IPAddress.TryParse(listen.Host, out var ip))
            {
                k.Listen(ip, listen.Port);
            }
            else
            {
                k.ListenLocalhost(listen.Port);
            }
        });
        var app = builder.Build();
        var server = new CarServer(app, path, token);
        app.Run(context => server.ServeAsync(context, carFile));
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new CliError($"cannot serve the CAR on {listen.Host}:{listen.Port}: {e.Message}");
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a)).First();
        var host = announceHost ?? (listen.Host is "0.0.0.0" ? "127.0.0.1" : listen.Host is "::" ? "::1" : listen.Host);
        var hostText = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        server.Url = new Uri($"http://{hostText}:{bound.Port}{path}");
        return server;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private async Task ServeAsync(HttpContext context, string carFile)
    {
        if (context.Request.Path != Path || !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(header), System.Text.Encoding.ASCII.GetBytes($"Bearer {Token}")))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var length = new FileInfo(carFile).Length;
        long from = 0;
        context.Response.Headers.AcceptRanges = "bytes";
        context.Response.ContentType = "application/vnd.ipld.car";
        if (context.Request.Headers.Range.ToString() is { Length: > 0 } range)
        {
            if (!TryParseRange(range, length, out from))
            {
                context.Response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                context.Response.Headers.ContentRange = $"bytes */{length}";
                return;
            }

            context.Response.StatusCode = StatusCodes.Status206PartialContent;
            context.Response.Headers.ContentRange = $"bytes {from}-{length - 1}/{length}";
        }

        context.Response.ContentLength = length - from;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        await using var file = new FileStream(carFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        file.Position = from;
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await file.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, n), context.RequestAborted);
            Interlocked.Add(ref _bytesServed, n);
        }
    }

    // "bytes=N-" or "bytes=N-M" with M at or past the end (the puller resumes from N to the end).
    private static bool TryParseRange(string range, long length, out long from)
    {
        from = 0;
        if (!range.StartsWith("bytes=", StringComparison.Ordinal) || range.Contains(',', StringComparison.Ordinal))
        {
            return false;
        }

        var spec = range["bytes=".Length..];
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || !long.TryParse(spec[..dash], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out from))
        {
            return false;
        }

        var end = spec[(dash + 1)..];
        if (end.Length > 0 && (!long.TryParse(end, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var last)
            || last < length - 1))
        {
            return false;
        }

        return from < length;
    }
}
