using Microsoft.AspNetCore.Http;

namespace Granary.Gateway.Retrieval;

/// <summary>
/// The public HTTP retrieval endpoint of a markets silo (<c>[Retrieval] ListenAddress</c>): <c>/piece/…</c>
/// (<see cref="PieceRetrievalHandler"/>) and <c>/ipfs/…</c> (<see cref="TrustlessGatewayHandler"/>), GET and HEAD only,
/// at most <see cref="RetrievalOptions.MaxConcurrentRequests"/> at once (429 beyond). Errors are <c>text/plain</c>.
/// </summary>
public sealed class RetrievalEndpoint(PieceRetrievalHandler pieces, TrustlessGatewayHandler ipfs, RetrievalOptions options)
{
    private readonly SemaphoreSlim _slots = new(options.MaxConcurrentRequests, options.MaxConcurrentRequests);

    /// <summary>Serves one request.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path;
        var isPiece = path.StartsWithSegments(PieceRetrievalHandler.Prefix);
        var isIpfs = path.StartsWithSegments(TrustlessGatewayHandler.Prefix);
        if (!isPiece && !isIpfs)
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, "not found: this endpoint serves /piece/{pieceCid} and /ipfs/{cid}");
            return;
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            await ErrorAsync(context, StatusCodes.Status405MethodNotAllowed, "only GET and HEAD");
            return;
        }

        if (!await _slots.WaitAsync(0, context.RequestAborted))
        {
            context.Response.Headers.RetryAfter = "5";
            await ErrorAsync(context, StatusCodes.Status429TooManyRequests, $"more than {options.MaxConcurrentRequests} retrievals at once; retry later");
            return;
        }

        try
        {
            await (isPiece ? pieces.HandleAsync(context) : ipfs.HandleAsync(context));
        }
        finally
        {
            _slots.Release();
        }
    }

    internal static async Task ErrorAsync(HttpContext context, int status, string message)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return;
        }

        response.StatusCode = status;
        response.Headers.CacheControl = "no-store";
        response.Headers.ETag = default;
        response.ContentType = "text/plain; charset=utf-8";
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.WriteAsync(message + "\n", context.RequestAborted);
        }
    }

    internal static bool Matches(string ifNoneMatch, string etag) =>
        ifNoneMatch.Length > 0 && (ifNoneMatch.Trim() == "*" || ifNoneMatch.Split(',').Any(t => t.Trim() == etag || t.Trim() == "W/" + etag));

    internal static string Clip(string text) => text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 120), "…");
}
