using Granary.Grains.Sectors;
using Granary.Silo.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Hosting;

/// <summary>
/// <c>/remote-staging</c> on the API listener: a sealing silo on another machine fetches a deal's staged CAR here for
/// AddPiece (<c>GET /remote-staging?path=ABSOLUTE-PATH</c>, with <c>Range</c> support). Like <c>/remote</c>, every request
/// needs <c>Authorization: Bearer TOKEN</c> with the <c>admin</c> permission (401 without a valid token, 403 with a weaker
/// one); a path outside this silo's staging directory (<c>REPO/staging</c>) is refused with 403, a missing file is 404.
/// A markets silo registers the route in <see cref="IStagingEndpointGrain"/> at start and every 30 s.
/// </summary>
public sealed partial class StagingFileEndpoint(string stagingDirectory, ApiToken tokens, ILogger<StagingFileEndpoint> logger)
{
    /// <summary>The path of the route.</summary>
    public const string Prefix = "/remote-staging";

    private readonly string _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(stagingDirectory)) + Path.DirectorySeparatorChar;

    /// <summary>
    /// Maps the route on <paramref name="apiPort"/> and, on a markets silo, registers it in the cluster while the silo runs.
    /// </summary>
    public static void Map(WebApplication app, int apiPort, SiloIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(identity);
        var tokens = app.Services.GetRequiredService<ApiToken>();
        var endpoint = new StagingFileEndpoint(Path.Combine(identity.Repo.Root, "staging"), tokens,
            app.Services.GetRequiredService<ILogger<StagingFileEndpoint>>());
        app.MapWhen(c => c.Connection.LocalPort == apiPort && c.Request.Path.StartsWithSegments(Prefix), branch => branch.Run(endpoint.HandleAsync));
        if (identity.Config.Subsystems.EnableMarkets)
        {
            var registration = new StagingEndpoint(identity.SiloName, UrlOf(Storage.SiloSectorStorage.RemoteUrl(identity.Config)), tokens.Issue([Permission.Admin]));
            var grains = app.Services.GetRequiredService<IGrainFactory>();
            var lifetime = app.Lifetime;
            lifetime.ApplicationStarted.Register(() => _ = endpoint.AnnounceAsync(grains, registration, lifetime.ApplicationStopping));
        }
    }

    /// <summary>The staging route's URL beside a silo's <c>/remote</c> URL (same scheme, host and port).</summary>
    public static string UrlOf(string remoteUrl)
    {
        var trimmed = remoteUrl.TrimEnd('/');
        return trimmed.EndsWith("/remote", StringComparison.Ordinal)
            ? string.Concat(trimmed.AsSpan(0, trimmed.Length - "/remote".Length), Prefix)
            : new Uri(trimmed).GetLeftPart(UriPartial.Authority) + Prefix;
    }

    /// <summary>Handles one request under <see cref="Prefix"/>.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = Answer(context);
        await result.ExecuteAsync(context);
    }

    private IResult Answer(HttpContext context)
    {
        var request = context.Request;
        var header = request.Headers.Authorization.ToString();
        string? reason = "missing API token (send Authorization: Bearer TOKEN with the admin permission)";
        var allowed = header.StartsWith("Bearer ", StringComparison.Ordinal) ? tokens.Verify(header["Bearer ".Length..].Trim(), out reason) : null;
        if (allowed is null)
        {
            LogRefused(context.Connection.RemoteIpAddress?.ToString() ?? "?", reason ?? "");
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problem(StatusCodes.Status401Unauthorized, reason ?? "invalid API token");
        }

        if (!allowed.Contains(Permission.Admin))
        {
            return Problem(StatusCodes.Status403Forbidden, "fetching staging files needs a token with the 'admin' permission");
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            return Problem(StatusCodes.Status405MethodNotAllowed, "only GET and HEAD");
        }

        if (request.Path.Value?.TrimEnd('/') != Prefix)
        {
            return Problem(StatusCodes.Status404NotFound, $"no such resource; use {Prefix}?path=ABSOLUTE-PATH");
        }

        var path = request.Query["path"].ToString();
        if (path.Length == 0 || path.Length > 4096 || path.Contains('\0', StringComparison.Ordinal) || !Path.IsPathFullyQualified(path))
        {
            return Problem(StatusCodes.Status400BadRequest, "path must be an absolute file path in this silo's staging directory");
        }

        var full = Path.GetFullPath(path);
        if (!full.StartsWith(_root, StringComparison.Ordinal) || IsLinkedOut(full))
        {
            return Problem(StatusCodes.Status403Forbidden, "the path is outside this silo's staging directory");
        }

        if (!File.Exists(full))
        {
            return Problem(StatusCodes.Status404NotFound, "no such staging file");
        }

        LogServing(full);
        return Results.File(full, "application/octet-stream", enableRangeProcessing: true);
    }

    // A symbolic link inside staging that points elsewhere is outside it too.
    private bool IsLinkedOut(string full)
    {
        for (var at = full; at.Length > _root.Length; at = Path.GetDirectoryName(at)!)
        {
            var info = new FileInfo(at);
            if (info.Exists || Directory.Exists(at))
            {
                if (info.LinkTarget is not null || new DirectoryInfo(at).LinkTarget is not null)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private async Task AnnounceAsync(IGrainFactory grains, StagingEndpoint registration, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await grains.GetGrain<IStagingEndpointGrain>(0).Register(registration);
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                LogAnnounceFailed(e, registration.Url);
            }

            try
            {
                await Task.Delay(IStagingEndpointGrain.RefreshPeriod, stopping); // the registry is kept in memory: say it again
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static IResult Problem(int status, string error) => Results.Json(new { error }, statusCode: status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Staging fetch from {Remote} refused: {Reason}")]
    private partial void LogRefused(string remote, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Serving staging file {Path}")]
    private partial void LogServing(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registering the staging route {Url} failed; retrying in 30 s")]
    private partial void LogAnnounceFailed(Exception error, string url);
}
