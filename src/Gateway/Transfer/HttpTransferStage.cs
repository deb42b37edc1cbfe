using System.Collections.Concurrent;
using Granary.Filecoin.Cids;
using Granary.Grains.Deals;
using Granary.Grains.Pieces;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Gateway.Transfer;

/// <summary>
/// The transfer stage of online deals on a markets silo (<see cref="IDealTransferStage"/>): pulls an accepted deal's
/// data with <see cref="TransferPuller"/> into this silo's <see cref="StagingArea"/>, reports the bytes received to the
/// deal grain every <see cref="ProgressInterval"/>, verifies the CommP (<see cref="PieceDataCheck"/>), records the piece
/// and its staged file in the piece directory, and moves the deal to <see cref="DealCheckpoint.Transferred"/>. A terminal
/// failure (refused URL, wrong size or CommP) fails the deal and deletes its staged data; a transient one that outlasts
/// the puller's attempts fails it too, keeping the part so that a retry resumes. Starting a deal that is already
/// transferring here does nothing. Stopping the silo cancels transfers; their parts stay for the next start.
/// </summary>
public sealed partial class HttpTransferStage(
    TransferPuller puller,
    IGrainFactory grains,
    string siloName,
    TransferOptions options,
    ILogger<HttpTransferStage> logger) : IDealTransferStage, IHostedService, IAsyncDisposable
{
    /// <summary>How often the bytes received are reported to the deal grain during a transfer.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Guid, Task> _running = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _stopped;
    private int _disposed;

    /// <summary>Deals transferring on this silo now.</summary>
    public int Running => _running.Count;

    /// <inheritdoc />
    public Task StartAsync(DealSnapshot deal, CancellationToken cancellationToken)
    {
        var uuid = deal.Summary.DealUuid;
        if (deal.Deal.IsOffline || deal.Summary.Checkpoint != DealCheckpoint.Accepted || _stopping.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }

        // The task waits for its own registration, so it can never finish (and unregister) before it is registered.
        var registered = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = Task.Run(async () =>
        {
            if (!await registered.Task)
            {
                return;
            }

            try
            {
                await RunAsync(deal, _stopping.Token);
            }
            finally
            {
                _running.TryRemove(uuid, out _);
            }
        });
        registered.SetResult(_running.TryAdd(uuid, task));
        return Task.CompletedTask;
    }

    /// <summary>Waits for a deal's transfer on this silo to end (tests, shutdown); returns at once if none runs.</summary>
    public Task WhenDone(Guid deal) => _running.TryGetValue(deal, out var task) ? task : Task.CompletedTask;

    private async Task RunAsync(DealSnapshot snapshot, CancellationToken cancellationToken)
    {
        var uuid = snapshot.Summary.DealUuid;
        var grain = grains.GetGrain<IDealGrain>(uuid);
        var size = (long)Math.Min(snapshot.Deal.Transfer.Size, long.MaxValue);
        try
        {
            if (snapshot.Deal.Transfer.Type != DealTransferSpec.Http)
            {
                throw new TransferFailedException($"transfer type '{snapshot.Deal.Transfer.Type}' is not supported (only {DealTransferSpec.Http})", retryable: false);
            }

            HttpTransferParams transfer;
            try
            {
                transfer = HttpTransferParams.Parse(snapshot.Deal.Transfer.Params);
            }
            catch (FormatException e)
            {
                throw new TransferFailedException(e.Message, retryable: false);
            }

            if (!puller.Staging.TryReserve(uuid, size, out var full))
            {
                throw new TransferFailedException(full, retryable: false);
            }

            LogStarted(uuid, transfer.Url.GetLeftPart(UriPartial.Authority), size);
            var progress = new ThrottledProgress(ProgressInterval, bytes =>
                grain.RecordProgress(new DealProgress(DealCheckpoint.Accepted, NBytesReceived: (ulong)bytes)));
            var path = await puller.PullAsync(new TransferJob(uuid, transfer, size), progress, cancellationToken);
            await progress.DrainAsync();
            var pieceCid = Cid.Parse(snapshot.Summary.PieceCid);
            await PieceDataCheck.VerifyAsync(path, pieceCid, snapshot.Summary.PieceSize, size, options.CommPThreads, cancellationToken: cancellationToken);
            var piece = grains.GetPiece(snapshot.Summary.PieceCid);
            await piece.AddDeal(new PieceDeal(uuid, snapshot.Summary.ChainDealId, ActorId(snapshot.Summary.Provider), false, DateTimeOffset.UtcNow),
                snapshot.Summary.PieceSize, size);
            await piece.SetStaging(new PieceStaging(siloName, path));
            puller.Staging.Release(uuid);
            await grain.RecordProgress(new DealProgress(DealCheckpoint.Transferred,
                $"{size} bytes from {transfer.Url.GetLeftPart(UriPartial.Authority)} staged on {siloName}; CommP matches", (ulong)size));
            LogTransferred(uuid, path);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            puller.Staging.Release(uuid);
            LogInterrupted(uuid);
        }
        catch (TransferFailedException e)
        {
            if (e.Retryable)
            {
                puller.Staging.Release(uuid);
            }
            else
            {
                puller.Staging.Delete(uuid);
            }

            LogFailed(uuid, e.Message);
            await grain.Fail($"transfer failed: {e.Message}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not the data's fault (a grain call or the disk): the part stays; the deal waits at Accepted for a restart.
            puller.Staging.Release(uuid);
            LogStageError(uuid, e.Message);
        }
    }

    private static ulong ActorId(string provider) =>
        provider.Length > 2 && ulong.TryParse(provider.AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? id
            : 0;

    /// <inheritdoc />
    Task IHostedService.StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The host stops it and the container disposes it: both paths end here, in either order, once each.
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _stopping.CancelAsync();
        }

        await Task.WhenAll(_running.Values).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deal {Deal}: pulling {Size} bytes from {Origin}")]
    private partial void LogStarted(Guid deal, string origin, long size);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deal {Deal}: transferred to {Path}, CommP verified")]
    private partial void LogTransferred(Guid deal, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deal {Deal}: transfer interrupted by shutdown; the part is kept to resume")]
    private partial void LogInterrupted(Guid deal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deal {Deal}: transfer failed: {Error}")]
    private partial void LogFailed(Guid deal, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Deal {Deal}: transfer stage error (the deal stays Accepted): {Error}")]
    private partial void LogStageError(Guid deal, string error);
}
