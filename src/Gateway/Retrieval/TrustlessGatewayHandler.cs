using Granary.Filecoin;
using Granary.Filecoin.Car;
using Granary.Filecoin.Cids;
using Granary.Grains.Pieces;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Granary.Gateway.Retrieval;

/// <summary>
/// The trustless gateway subset booster-http serves: <c>GET/HEAD /ipfs/{cid}</c> with <c>?format=car</c> or
/// <c>Accept: application/vnd.ipld.car</c> → a CARv1 whose root is the CID, and <c>?format=raw</c> or
/// <c>Accept: application/vnd.ipld.raw</c> → the one block. The CAR holds the blocks reachable from the root in
/// depth-first order, links taken in the order their block lists them (dag-pb <c>Links</c>, dag-cbor tag-42 CIDs;
/// raw and other codecs are leaves), each block once (<c>order=dfs; dups=n</c>), identity CIDs left out; with
/// <c>dag-scope=block</c> only the root. Blocks are found through the block index in any stored piece, the root's
/// piece first. A block missing (or the DAG passing <see cref="RetrievalOptions.MaxCarBlocks"/>) before the first 64 KiB
/// of the CAR were sent gives a 502 with the reason; later, with the status already sent, the connection is aborted (the
/// client sees a truncated body, never a CAR that looks complete). Paths under the CID are not resolved (501).
/// </summary>
public sealed partial class TrustlessGatewayHandler(
    IGrainFactory grains,
    PieceBlockStore blocks,
    PieceReader reader,
    RetrievalOptions options,
    ILogger<TrustlessGatewayHandler> logger)
{
    /// <summary>The path prefix.</summary>
    public const string Prefix = "/ipfs";

    /// <summary>The CAR media type.</summary>
    public const string CarType = "application/vnd.ipld.car";

    /// <summary>The raw block media type.</summary>
    public const string RawType = "application/vnd.ipld.raw";

    private enum Format
    {
        Car,
        Raw,
    }

    /// <summary>Serves one request whose path starts with <see cref="Prefix"/>.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var rest = (request.Path.Value ?? "")[Prefix.Length..].TrimStart('/');
        var slash = rest.IndexOf('/');
        var cidText = slash < 0 ? rest : rest[..slash];
        if (cidText.Length == 0)
        {
            await RetrievalEndpoint.ErrorAsync(context, StatusCodes.Status400BadRequest, "expected /ipfs/{cid}");
            return;
        }

        Cid cid;
        try
        {
            cid = Cid.Parse(cidText);
        }
        catch (FilecoinFormatException e)
        {
            await RetrievalEndpoint.ErrorAsync(context, StatusCodes.Status400BadRequest, $"'{RetrievalEndpoint.Clip(cidText)}' is not a CID: {e.Message}");
            return;
        }

        if (slash >= 0 && rest[(slash + 1)..].Trim('/').Length > 0)
        {
            await RetrievalEndpoint.ErrorAsync(context, StatusCodes.Status501NotImplemented,
                "paths under a CID are not resolved by this gateway; request the CID of the block or DAG itself");
            return;
        }

        if (!TryFormat(request, out var format, out var formatError, out var status))
        {
            await RetrievalEndpoint.ErrorAsync(context, status, formatError);
            return;
        }

        var scope = request.Query["dag-scope"].ToString();
        if (scope is not ("" or "all" or "entity" or "block"))
        {
            await RetrievalEndpoint.ErrorAsync(context, StatusCodes.Status400BadRequest, $"dag-scope '{RetrievalEndpoint.Clip(scope)}' is not all, entity or block");
            return;
        }

        if (cid.Hash.Code == Multihash.Identity)
        {
            await RetrievalEndpoint.ErrorAsync(context, StatusCodes.Status400BadRequest, "an identity CID carries its data inline; there is nothing to retrieve");
            return;
        }

        await using var source = new PieceBlockSource(grains, blocks, reader);
        var root = await source.GetAsync(cid.Hash, context.RequestAborted);
        if (root is null)
        {
            if (source.UnsealingRetryAfter is { } retry)
            {
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await RetrievalEndpoint.ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, $"block {cid} is being unsealed: {source.LastProblem}");
                return;
            }

            await RetrievalEndpoint.ErrorAsync(context, StatusCodes.Status404NotFound, $"block {cid} is not available here: {source.LastProblem}");
            return;
        }

        var response = context.Response;
        response.Headers.CacheControl = PieceRetrievalHandler.CacheControl;
        response.Headers.XContentTypeOptions = "nosniff";
        if (format == Format.Raw)
        {
            response.Headers.ContentType = RawType;
            response.Headers.ETag = $"\"{cid}.raw\"";
            response.Headers.ContentDisposition = $"attachment; filename=\"{cid}.bin\"";
            response.ContentLength = root.Length;
            if (!HttpMethods.IsHead(request.Method))
            {
                await response.Body.WriteAsync(root, context.RequestAborted);
            }

            return;
        }

        var onlyRoot = scope == "block";
        response.Headers.ContentType = $"{CarType}; version=1; order=dfs; dups=n";
        response.Headers.ETag = $"\"{cid}.car.{(onlyRoot ? "block" : "all")}\"";
        response.Headers.ContentDisposition = $"attachment; filename=\"{cid}.car\"";
        if (HttpMethods.IsHead(request.Method))
        {
            return;
        }

        await WriteCarAsync(context, source, cid, root, onlyRoot);
    }

    private async Task WriteCarAsync(HttpContext context, PieceBlockSource source, Cid rootCid, byte[] root, bool onlyRoot)
    {
        var cancellationToken = context.RequestAborted;
        // Not disposed: on failure its buffered bytes must not reach the client (disposing would flush them).
        var output = new BufferedStream(context.Response.Body, 1 << 16);
        var car = new CarWriter(output);
        await car.WriteHeaderAsync([rootCid], cancellationToken);
        var seen = new HashSet<Multihash>();
        var pending = new Stack<(Cid Cid, byte[]? Data)>();
        pending.Push((rootCid, root));
        var written = 0;
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next.Cid.Hash))
            {
                continue;
            }

            var data = next.Data ?? await source.GetAsync(next.Cid.Hash, cancellationToken);
            if (data is null)
            {
                LogIncomplete(rootCid.ToString(), next.Cid.ToString(), source.LastProblem);
                await FailAsync(context, StatusCodes.Status502BadGateway, $"block {next.Cid} of the DAG of {rootCid} is not available here: {source.LastProblem}");
                return;
            }

            if (++written > options.MaxCarBlocks)
            {
                LogTooLarge(rootCid.ToString(), options.MaxCarBlocks);
                await FailAsync(context, StatusCodes.Status502BadGateway, $"the DAG of {rootCid} has more than {options.MaxCarBlocks} blocks");
                return;
            }

            await car.WriteBlockAsync(next.Cid, data, cancellationToken);
            if (onlyRoot)
            {
                break;
            }

            IReadOnlyList<Cid> links;
            try
            {
                links = DagLinks.Of(next.Cid.Codec, data);
            }
            catch (FilecoinFormatException e)
            {
                LogUndecodable(next.Cid.ToString(), e.Message);
                links = [];
            }

            // Pushed last-first so the first link is visited first (depth-first, in the block's link order).
            for (var i = links.Count - 1; i >= 0; i--)
            {
                if (links[i].Hash.Code != Multihash.Identity && !seen.Contains(links[i].Hash))
                {
                    pending.Push((links[i], null));
                }
            }
        }

        await output.FlushAsync(cancellationToken);
    }

    // Nothing sent yet (the CAR so far is still in the buffer): a clean error status. Otherwise the status is gone, and
    // aborting the connection is the only way to tell the client that the body is not a complete CAR.
    private static async Task FailAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }

        context.Response.Headers.ContentDisposition = default;
        await RetrievalEndpoint.ErrorAsync(context, status, message);
    }

    private static bool TryFormat(HttpRequest request, out Format format, out string error, out int status)
    {
        format = Format.Car;
        error = "";
        status = StatusCodes.Status200OK;
        var query = request.Query["format"].ToString();
        if (query.Length > 0)
        {
            switch (query)
            {
                case "car":
                    return true;
                case "raw":
                    format = Format.Raw;
                    return true;
                default:
                    error = $"format '{RetrievalEndpoint.Clip(query)}' is not car or raw";
                    status = StatusCodes.Status400BadRequest;
                    return false;
            }
        }

        // The first acceptable type the client lists wins.
        foreach (var item in request.Headers.Accept.ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var type = item.Split(';', 2)[0].Trim();
            if (type.Equals(CarType, StringComparison.OrdinalIgnoreCase))
            {
                if (item.Contains("version=2", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                return true;
            }

            if (type.Equals(RawType, StringComparison.OrdinalIgnoreCase))
            {
                format = Format.Raw;
                return true;
            }
        }

        error = $"this is a trustless gateway: ask for ?format=car or ?format=raw, or Accept: {CarType} or {RawType}";
        status = StatusCodes.Status406NotAcceptable;
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "CAR of {Root} aborted: block {Block} is missing ({Problem})")]
    private partial void LogIncomplete(string root, string block, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CAR of {Root} aborted: the DAG has more than {Limit} blocks")]
    private partial void LogTooLarge(string root, int limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Block {Block} does not decode as its codec, so its links are not followed: {Error}")]
    private partial void LogUndecodable(string block, string error);
}
