using Granary.Grains.Deals;
using Granary.Grains.Pieces;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Hosting;

/// <summary>
/// The markets silo's start-up check of the block index (lotus's DAG store recovery): every piece of an active deal
/// (not <see cref="DealCheckpoint.Complete"/>) whose directory says it was indexed (or was being indexed) but whose
/// rows are missing from <see cref="PieceBlockStore"/> — the table dropped, or the database restored without it — is
/// indexed again from its best copy (staging or an unsealed sector file), one piece at a time, in the background: deal
/// intake and proving never wait for it. Progress goes to the log and to <c>granary pieces list</c>
/// (<see cref="Progress"/>). Also the entry point of <c>pieces list|info|reindex</c> (<see cref="PieceMethods"/>).
/// </summary>
public sealed partial class PieceIndexRebuild(
    SiloIdentity silo, IGrainFactory grains, PieceBlockStore blocks, ILogger<PieceIndexRebuild> logger) : BackgroundService
{
    /// <summary>Attempts per piece when no copy is readable yet (the sealing side may still be starting).</summary>
    public const int Attempts = 4;

    private readonly Lock _gate = new();
    private PieceIndexRebuildProgress _progress = PieceIndexRebuildProgress.NotStarted;

    /// <summary>The block store.</summary>
    public PieceBlockStore Blocks => blocks;

    /// <summary>The grains.</summary>
    public IGrainFactory Grains => grains;

    /// <summary>The miner whose deals the pieces belong to (the repo's <c>miner.json</c>), or empty.</summary>
    public string Miner => MarketsProtocols.Miner(silo);

    /// <summary>Where the start-up rebuild is.</summary>
    public PieceIndexRebuildProgress Progress
    {
        get
        {
            lock (_gate)
            {
                return _progress;
            }
        }
    }

    /// <summary>Whether a piece's index needs rebuilding: recorded as indexed (or interrupted) with no rows stored.</summary>
    public static bool NeedsRebuild(PieceRecord piece, long storedBlocks) =>
        storedBlocks == 0 && piece.Index.State switch
        {
            PieceIndexState.Indexed => piece.Index.Blocks > 0,
            PieceIndexState.Indexing => true,
            _ => false,
        };

    /// <summary>The miner's deals, newest first (every page of the deal directory).</summary>
    public async Task<List<DealSummary>> DealsAsync(CancellationToken cancellationToken)
    {
        var result = new List<DealSummary>();
        if (Miner.Length == 0)
        {
            return result;
        }

        var directory = grains.GetGrain<IDealDirectoryGrain>(Miner);
        const int page = 1000;
        for (var offset = 0; ; offset += page)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var deals = await directory.List(offset, page);
            result.AddRange(deals);
            if (deals.Count < page)
            {
                return result;
            }
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the start-up path: the silo, its deal intake and proving are up before the first query here.
        await Task.Yield();
        try
        {
            await RebuildAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Set(Progress with { State = "failed", Error = e.Message, FinishedAt = DateTimeOffset.UtcNow });
            LogFailed(e.Message);
        }
    }

    private async Task RebuildAsync(CancellationToken stoppingToken)
    {
        Set(new PieceIndexRebuildProgress("checking", 0, 0, 0, 0, "", "", DateTimeOffset.UtcNow, null));
        var active = (await DealsAsync(stoppingToken))
            .Where(d => d.Checkpoint != DealCheckpoint.Complete)
            .Select(d => d.PieceCid)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var todo = new List<string>();
        foreach (var cid in active)
        {
            stoppingToken.ThrowIfCancellationRequested();
            if (!PieceKey.TryParse(cid, out var key, out _))
            {
                continue;
            }

            if (await grains.GetPiece(key).Info() is { } piece && NeedsRebuild(piece, await blocks.CountAsync(piece.PieceCid, stoppingToken)))
            {
                todo.Add(piece.PieceCid);
            }
        }

        Set(Progress with { State = todo.Count == 0 ? "done" : "rebuilding", Checked = active.Count, Pieces = todo.Count,
            FinishedAt = todo.Count == 0 ? DateTimeOffset.UtcNow : null });
        if (todo.Count == 0)
        {
            LogNothing(active.Count);
            return;
        }

        LogStarting(todo.Count, active.Count);
        var done = 0;
        var failed = 0;
        foreach (var cid in todo)
        {
            Set(Progress with { Current = cid });
            var error = await IndexAsync(cid, stoppingToken);
            if (error is null)
            {
                done++;
            }
            else
            {
                failed++;
            }

            Set(Progress with { Done = done, Failed = failed, Error = error ?? Progress.Error });
            LogProgress(done + failed, todo.Count, cid, error ?? "indexed");
        }

        Set(Progress with { State = "done", Current = "", FinishedAt = DateTimeOffset.UtcNow });
        LogFinished(done, failed);
    }

    private async Task<string?> IndexAsync(string cid, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var summary = await grains.GetPiece(cid).IndexPiece(force: true);
                return summary.State == PieceIndexState.Indexed ? null : summary.Error;
            }
            catch (PieceUnavailableException e) when (attempt < Attempts)
            {
                LogRetry(cid, attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(5 * attempt), stoppingToken); // back-off until the sealing side serves its files
            }
            catch (Exception e) when (e is PieceUnavailableException or InvalidOperationException or TimeoutException
                or Orleans.Runtime.OrleansException or Granary.Grains.Placement.SubsystemUnavailableException)
            {
                return e.Message;
            }
        }
    }

    private void Set(PieceIndexRebuildProgress progress)
    {
        lock (_gate)
        {
            _progress = progress;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Piece index: all {Pieces} piece(s) of active deals have their block index")]
    private partial void LogNothing(int pieces);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Piece index: {Missing} of {Pieces} piece(s) of active deals have no block rows; rebuilding them in the background")]
    private partial void LogStarting(int missing, int pieces);

    [LoggerMessage(Level = LogLevel.Information, Message = "Piece index rebuild {Done}/{Total}: {Piece}: {Result}")]
    private partial void LogProgress(int done, int total, string piece, string result);

    [LoggerMessage(Level = LogLevel.Information, Message = "Piece index rebuild of {Piece}: no readable copy yet (attempt {Attempt}): {Reason}")]
    private partial void LogRetry(string piece, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Piece index rebuild finished: {Done} rebuilt, {Failed} failed")]
    private partial void LogFinished(int done, int failed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Piece index rebuild stopped: {Error}")]
    private partial void LogFailed(string error);
}
