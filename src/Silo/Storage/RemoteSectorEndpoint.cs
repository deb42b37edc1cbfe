using Granary.Grains.Storage;
using Granary.Silo.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Storage;

/// <summary>
/// <c>/remote</c> on the API listener: other silos fetch this silo's sector files here, as lotus workers do
/// from lotus-miner's <c>/remote</c>. Every request needs <c>Authorization: Bearer TOKEN</c> with the
/// <c>admin</c> permission (401 without a valid token, 403 with a weaker one).
/// <list type="bullet">
/// <item><c>GET /remote/sealed/s-t0M-N</c>, <c>GET /remote/unsealed/s-t0M-N</c>: the file, with <c>Range</c> support.</item>
/// <item><c>GET /remote/cache/s-t0M-N</c>: the cache directory's files as <c>{"Files":[{"Name":...,"Size":...}]}</c>.</item>
/// <item><c>GET /remote/cache/s-t0M-N?file=NAME</c>: one cache file, with <c>Range</c> support.</item>
/// <item><c>GET /remote/stat/PATH-ID</c>: a local path's capacity (lotus's FsStat JSON).</item>
/// </list>
/// </summary>
public sealed partial class RemoteSectorEndpoint(LocalStorage? storage, ApiToken tokens, ILogger<RemoteSectorEndpoint> logger)
{
    /// <summary>The path prefix.</summary>
    public const string Prefix = "/remote";

    /// <summary>Handles one request under <see cref="Prefix"/>.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (!Authorized(context, out var refusal))
        {
            await refusal.ExecuteAsync(context);
            return;
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            await Problem(StatusCodes.Status405MethodNotAllowed, "only GET and HEAD").ExecuteAsync(context);
            return;
        }

        if (storage is null)
        {
            await Problem(StatusCodes.Status404NotFound, "this silo has no sector storage (EnableSectorStorage, EnableSealing and EnableMining are all false)")
                .ExecuteAsync(context);
            return;
        }

        var segments = (request.Path.Value ?? "")[Prefix.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        var result = segments switch
        {
            ["stat", var pathId] => Stat(pathId),
            [var type, var sector] => File(type, sector, request.Query["file"].ToString(), request.Query.ContainsKey("file")),
            _ => Problem(StatusCodes.Status404NotFound, $"no such resource; use {Prefix}/{{unsealed|sealed|cache}}/s-t0MINER-NUMBER or {Prefix}/stat/PATH-ID"),
        };
        await result.ExecuteAsync(context);
    }

    private IResult Stat(string pathId) => storage!.PathStatus(pathId) is { } path
        ? Results.Json(new
        {
            path.Stat.Capacity,
            path.Stat.Available,
            FSAvailable = path.Stat.FsAvailable,
            path.Stat.Reserved,
            path.Stat.Max,
            path.Stat.Used,
        }, RpcJson.Options)
        : Problem(StatusCodes.Status404NotFound, $"storage path {pathId} is not attached on this silo");

    private IResult File(string typeName, string sectorName, string file, bool fileGiven)
    {
        if (!SectorFileTypes.TryParse(typeName, out var type))
        {
            return Problem(StatusCodes.Status400BadRequest, $"'{Clip(typeName)}' is not a sector file type (unsealed, sealed, cache)");
        }

        if (!SectorId.TryParse(sectorName, out var sector))
        {
            return Problem(StatusCodes.Status400BadRequest, $"'{Clip(sectorName)}' is not a sector name (s-t0MINER-NUMBER)");
        }

        if (fileGiven && type != SectorFileType.Cache)
        {
            return Problem(StatusCodes.Status400BadRequest, "?file= names a file in a cache directory; unsealed and sealed are single files");
        }

        if (storage!.LocalFile(sector, type) is not { } local)
        {
            return Problem(StatusCodes.Status404NotFound, $"silo {storage.SiloName} holds no {type.Name()} file of {sector}");
        }

        if (type != SectorFileType.Cache)
        {
            LogServing(type.Name(), sector.Name);
            return Results.File(local, "application/octet-stream", enableRangeProcessing: true);
        }

        if (!fileGiven)
        {
            return Results.Json(storage.CacheFiles(sector) ?? new CacheListing([]), RpcJson.Options);
        }

        if (!CacheListing.IsValidName(file))
        {
            return Problem(StatusCodes.Status400BadRequest, $"'{Clip(file)}' is not a cache file name");
        }

        var path = Path.Combine(local, file);
        if (!System.IO.File.Exists(path))
        {
            return Problem(StatusCodes.Status404NotFound, $"the cache of {sector} has no file {file}");
        }

        LogServing($"cache/{file}", sector.Name);
        return Results.File(path, "application/octet-stream", enableRangeProcessing: true);
    }

    private bool Authorized(HttpContext context, out IResult refusal)
    {
        var header = context.Request.Headers.Authorization.ToString();
        string? reason;
        IReadOnlyList<Permission>? allowed = null;
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            reason = "missing API token (send Authorization: Bearer TOKEN with the admin permission)";
        }
        else
        {
            allowed = tokens.Verify(header["Bearer ".Length..].Trim(), out reason);
        }

        if (allowed is null)
        {
            LogRefused(context.Connection.RemoteIpAddress?.ToString() ?? "?", reason!);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            refusal = Problem(StatusCodes.Status401Unauthorized, reason!);
            return false;
        }

        if (!allowed.Contains(Permission.Admin))
        {
            refusal = Problem(StatusCodes.Status403Forbidden, "fetching sector files needs a token with the 'admin' permission");
            return false;
        }

        refusal = Results.Empty;
        return true;
    }

    private static IResult Problem(int status, string error) => Results.Json(new { error }, statusCode: status);

    private static string Clip(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "...");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sector fetch from {Remote} refused: {Reason}")]
    private partial void LogRefused(string remote, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Serving the {Type} file of {Sector}")]
    private partial void LogServing(string type, string sector);
}
