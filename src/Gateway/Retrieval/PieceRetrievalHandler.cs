using Granary.Filecoin.Cids;
using Granary.Grains.Pieces;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Granary.Gateway.Retrieval;

/// <summary>
/// <c>GET/HEAD /piece/{pieceCid}</c> (FRC-0066, as booster-http serves it): the piece's bytes as Boost's
/// <c>UnsealSectorAt(offset.Unpadded(), length.Unpadded())</c> returns them — the Fr32-unpadded piece, i.e. the
/// payload followed by zeros up to <c>PieceSize·127/128</c> bytes — from a staged copy or the unsealed sector copy. A v1
/// (<c>baga6ea4seaq…</c>) or v2 (<c>bafkzcib…</c>) piece CID is accepted; a single <c>Range</c> gets 206 with
/// <c>Content-Range</c>, a malformed or unsatisfiable one 416. Headers: <c>Content-Type: application/piece</c>,
/// <c>Accept-Ranges: bytes</c>, <c>Cache-Control: public, max-age=29030400, immutable</c>, <c>Etag: "CID"</c> (the CID
/// as requested), and <c>If-None-Match</c> / <c>If-Range</c> are honoured against it.
/// </summary>
public sealed partial class PieceRetrievalHandler(IGrainFactory grains, PieceReader reader, ILogger<PieceRetrievalHandler> logger)
{
    /// <summary>The path prefix.</summary>
    public const string Prefix = "/piece";

    /// <summary>The content type booster-http serves pieces with.</summary>
    public const string ContentType = "application/piece";

    /// <summary>FRC-0066's caching directive for immutable piece data.</summary>
    public const string CacheControl = "public, max-age=29030400, immutable";

    private const int CopyBuffer = 1 << 20;

    /// <summary>Serves one request whose path starts with <see cref="Prefix"/>.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var rest = (request.Path.Value ?? "")[Prefix.Length..].Trim('/');
        if (rest.Length == 0 || rest.Contains('/'))
        {
            await RetrievalEndpoint.ErrorAsync(context, StatusCodes.Status400BadRequest, "expected /piece/{pieceCid}");
            return;
        }

        if (!PieceKey.TryParse(rest, out var key, out var reason))
        {
            await RetrievalEndpoint.ErrorAsync(context, StatusCodes.Status400BadRequest, $"'{RetrievalEndpoint.Clip(rest)}' is not a piece CID: {reason}");
            return;
        }

        var piece = await grains.GetPiece(key).Info();
        if (piece is null || piece.PieceSize == 0 || (key.PieceSize is { } size && size != piece.PieceSize))
        {
            await RetrievalEndpoint.ErrorAsync(context, StatusCodes.Status404NotFound, $"piece {rest} is not stored here");
            return;
        }

        PieceContent content;
        try
        {
            content = await reader.OpenAsync(piece, context.RequestAborted);
        }
        catch (PieceUnsealingException e)
        {
            LogUnavailable(rest, e.Message);
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(e.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await RetrievalEndpoint.ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, e.Message);
            return;
        }
        catch (PieceUnavailableException e)
        {
            LogUnavailable(rest, e.Message);
            await RetrievalEndpoint.ErrorAsync(context, StatusCodes.Status404NotFound, e.Message);
            return;
        }

        await using (content)
        {
            var response = context.Response;
            var etag = $"\"{Cid.Parse(rest)}\"";
            var length = content.Stream.Length;
            response.Headers.ContentType = ContentType;
            response.Headers.AcceptRanges = "bytes";
            response.Headers.CacheControl = CacheControl;
            response.Headers.ETag = etag;
            response.Headers.XContentTypeOptions = "nosniff";
            if (RetrievalEndpoint.Matches(request.Headers.IfNoneMatch.ToString(), etag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            var rangeHeader = request.Headers.Range.ToString();
            var ifRange = request.Headers.IfRange.ToString();
            if (ifRange.Length > 0 && ifRange != etag)
            {
                rangeHeader = ""; // the client's copy is of something else: send it all
            }

            var outcome = ByteRange.Resolve(rangeHeader, length, out var range);
            if (outcome == ByteRange.Outcome.Unsatisfiable)
            {
                response.Headers.ContentRange = $"bytes */{length}";
                await RetrievalEndpoint.ErrorAsync(context, StatusCodes.Status416RangeNotSatisfiable,
                    $"range '{RetrievalEndpoint.Clip(rangeHeader)}' is not satisfiable for {length} bytes");
                return;
            }

            if (outcome == ByteRange.Outcome.Partial)
            {
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.Headers.ContentRange = $"bytes {range.Start}-{range.End}/{length}";
            }
            else
            {
                response.StatusCode = StatusCodes.Status200OK;
            }

            response.ContentLength = range.Length;
            if (HttpMethods.IsHead(request.Method))
            {
                return;
            }

            LogServing(rest, range.Start, range.Length, content.Source);
            await CopyAsync(content.Stream, range, response, context.RequestAborted);
        }
    }

    private static async Task CopyAsync(Stream source, ByteRange range, HttpResponse response, CancellationToken cancellationToken)
    {
        source.Position = range.Start;
        var buffer = new byte[(int)Math.Min(CopyBuffer, Math.Max(1, range.Length))];
        var remaining = range.Length;
        while (remaining > 0)
        {
            var n = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
            if (n == 0)
            {
                throw new IOException($"the piece ended {remaining} bytes early");
            }

            await response.Body.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            remaining -= n;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Serving piece {Piece} bytes {Start}+{Length} from {Source}")]
    private partial void LogServing(string piece, long start, long length, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Piece {Piece} requested but unavailable: {Reason}")]
    private partial void LogUnavailable(string piece, string reason);
}
