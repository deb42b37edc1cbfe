using Granary.Grains.Deals;
using Granary.Grains.Pieces;
using Granary.Grains.Placement;
using Granary.Silo.Api;

namespace Granary.Silo.Hosting;

/// <summary>
/// The piece directory's API (lotus-miner's <c>dagstore</c> and <c>pieces</c> commands, Boost's LID): <c>PiecesList</c>
/// (read: every piece of the miner's deals with its deals, sectors and index state, and this silo's start-up rebuild
/// progress), <c>PiecesInfo</c> (read: one piece) and <c>PiecesReindex</c> (admin: rebuild one piece's block index from
/// its staged or unsealed copy). Served by markets silos; other silos say where to ask.
/// </summary>
internal static class PieceMethods
{
    public static IEnumerable<RpcMethod> Create(PieceIndexRebuild? pieces) =>
    [
        new("Filecoin.PiecesList", Permission.Read, async (p, ct) =>
        {
            var directory = Running(pieces);
            var deals = await Call(() => directory.DealsAsync(ct));
            var byPiece = deals.GroupBy(d => d.PieceCid, StringComparer.Ordinal).ToList();
            var listed = new List<object>();
            foreach (var group in byPiece)
            {
                if (!PieceKey.TryParse(group.Key, out var key, out _) || await Call(() => directory.Grains.GetPiece(key).Info()) is not { } piece)
                {
                    continue;
                }

                listed.Add(await DescribeAsync(directory, piece, [.. group], ct));
            }

            return new { directory.Miner, Rebuild = directory.Progress, Pieces = listed };
        }),
        new("Filecoin.PiecesInfo", Permission.Read, async (p, ct) =>
        {
            var directory = Running(pieces);
            var key = Key(p.Get<string>(0, "piece CID"));
            var piece = await Call(() => directory.Grains.GetPiece(key).Info())
                ?? throw new RpcException(RpcException.MethodError, $"the piece directory has no piece {key.Key}");
            var deals = (await Call(() => directory.DealsAsync(ct))).Where(d => d.PieceCid == piece.PieceCid).ToList();
            return await DescribeAsync(directory, piece, deals, ct);
        }),
        new("Filecoin.PiecesReindex", Permission.Admin, async (p, ct) =>
        {
            var directory = Running(pieces);
            var key = Key(p.Get<string>(0, "piece CID"));
            var grain = directory.Grains.GetPiece(key);
            if (await Call(grain.Info) is null)
            {
                throw new RpcException(RpcException.MethodError, $"the piece directory has no piece {key.Key}");
            }

            var summary = await Call(() => grain.IndexPiece(force: true));
            var stored = await directory.Blocks.CountAsync(key.Key, ct);
            return new { PieceCid = key.Key, Index = Describe(summary), StoredBlocks = stored };
        }),
    ];

    private static async Task<object> DescribeAsync(PieceIndexRebuild directory, PieceRecord piece, IReadOnlyList<DealSummary> deals, CancellationToken ct)
    {
        var stored = await directory.Blocks.CountAsync(piece.PieceCid, ct);
        var checkpoints = deals.ToDictionary(d => d.DealUuid);
        return new
        {
            piece.PieceCid,
            piece.PieceSize,
            piece.PayloadSize,
            Deals = piece.Deals.Select(d => new
            {
                d.DealUuid,
                d.ChainDealId,
                d.IsOffline,
                Checkpoint = checkpoints.TryGetValue(d.DealUuid, out var s) ? s.Checkpoint.ToString() : "",
                Error = checkpoints.TryGetValue(d.DealUuid, out var e) ? e.Error : "",
            }).ToArray(),
            Sectors = piece.Sectors.Select(l => new { Sector = l.Sector.Name, l.Offset, l.Length }).ToArray(),
            Staged = piece.Staging is { } staging ? new { staging.Silo, staging.Path } : null,
            Index = Describe(piece.Index),
            StoredBlocks = stored,
            NeedsRebuild = PieceIndexRebuild.NeedsRebuild(piece, stored),
        };
    }

    private static object Describe(PieceIndexSummary index) => new
    {
        State = index.State.ToString(),
        index.Blocks,
        index.Roots,
        index.CarVersion,
        index.Error,
        At = index.At == DateTimeOffset.MinValue ? (DateTimeOffset?)null : index.At,
    };

    private static PieceKey Key(string text) => PieceKey.TryParse(text, out var key, out var reason) ? key
        : throw new RpcException(RpcException.InvalidParams, $"'{text}' is not a piece CID{(reason.Length > 0 ? $": {reason}" : "")}");

    private static PieceIndexRebuild Running(PieceIndexRebuild? pieces) => pieces
        ?? throw new RpcException(RpcException.MethodError,
            "this silo has no piece directory ([Subsystems] EnableMarkets = false); ask a markets silo (MARKETS_API_INFO or --call-on-markets)");

    // The grains' refusals are the caller's answer (one line), not a server fault.
    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is PieceUnavailableException or InvalidOperationException or ArgumentException or SubsystemUnavailableException
            or TimeoutException or DealmakingException)
        {
            throw new RpcException(RpcException.MethodError, e.Message);
        }
    }
}
