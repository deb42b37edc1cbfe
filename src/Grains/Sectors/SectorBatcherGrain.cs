using Granary.Chain;
using Granary.Filecoin.Addresses;
using Granary.Grains.Miner;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Granary.Grains.Sectors;

/// <summary>
/// What the pre-commit and commit batchers share: a persisted queue per miner, flushed when it holds a batch's worth or
/// its oldest entry has waited long enough, one message at a time through the miner grain, each sector told its result.
/// </summary>
/// <remarks>
/// Reentrant, so sectors can add while a message is on its way (the miner grain's Send waits for it to land). Entries are
/// persisted as <see cref="SectorBatchState{TEntry}.Sending"/> before the message is sent; a batcher reactivated after a
/// crash queues them again, and before any send drops the entries the chain already has (reported as landed), so a
/// message that did land is never sent twice.
/// </remarks>
[Reentrant]
public abstract partial class SectorBatcherGrain<TEntry>(
    IPersistentState<SectorBatchState<TEntry>> state,
    IChainNode chain,
    SectorPipelineOptions options,
    ILogger logger) : Grain
    where TEntry : class
{
    private IGrainTimer? _timer;
    private bool _sending;
    private bool _flushAll;
    private DateTimeOffset _pausedUntil;

    /// <summary>The chain.</summary>
    protected IChainNode Chain => chain;

    /// <summary>The options.</summary>
    protected SectorPipelineOptions Options => options;

    /// <summary>The miner's actor id (the grain's key).</summary>
    protected ulong MinerId => (ulong)this.GetPrimaryKeyLong();

    /// <summary>The miner's id address.</summary>
    protected Address Miner => Address.FromId(MinerId);

    /// <summary>What the batcher sends ("pre-commit", "commit"), for logs.</summary>
    protected abstract string What { get; }

    /// <summary>Most entries per message.</summary>
    protected abstract int BatchSize { get; }

    /// <summary>Longest the oldest entry waits.</summary>
    protected abstract TimeSpan BatchWait { get; }

    /// <summary>The sector number of an entry.</summary>
    protected abstract ulong NumberOf(TEntry entry);

    /// <summary>When an entry was added.</summary>
    protected abstract DateTimeOffset AddedOf(TEntry entry);

    /// <summary>How many of the first <paramref name="queued"/> fit in one message (at least one).</summary>
    protected virtual int Fit(IReadOnlyList<TEntry> queued) => Math.Min(queued.Count, BatchSize);

    /// <summary>Whether the chain already has what the entry asks for (then it is reported as landed, not sent).</summary>
    protected abstract Task<bool> OnChainAsync(TEntry entry);

    /// <summary>Sends the batch; returns each entry's outcome in order.</summary>
    protected abstract Task<IReadOnlyList<BatchOutcome>> SendAsync(IMinerGrain miner, IReadOnlyList<TEntry> batch);

    /// <summary>Tells a sector its outcome.</summary>
    protected abstract Task NotifyAsync(ulong number, BatchOutcome outcome);

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Sending.Count > 0)
        {
            // A crash mid-send: queue them again in front; the chain check before the next send drops those that landed.
            state.State.Queued.InsertRange(0, state.State.Sending);
            state.State.Sending.Clear();
            await state.WriteStateAsync(cancellationToken);
        }

        Schedule();
    }

    /// <summary>Queues or replaces an entry.</summary>
    protected async Task AddEntry(TEntry entry)
    {
        var number = NumberOf(entry);
        if (state.State.Sending.Any(e => NumberOf(e) == number))
        {
            return; // already on its way; its outcome will be reported
        }

        state.State.Queued.RemoveAll(e => NumberOf(e) == number);
        state.State.Queued.Add(entry);
        await state.WriteStateAsync();
        Schedule();
    }

    /// <summary>Where the batcher stands with a sector.</summary>
    protected Task<BatchEntryState> FindEntry(ulong number) => Task.FromResult(
        state.State.Sending.Any(e => NumberOf(e) == number) ? BatchEntryState.Sending
        : state.State.Queued.Any(e => NumberOf(e) == number) ? BatchEntryState.Queued
        : BatchEntryState.Unknown);

    /// <summary>Sends everything queued now.</summary>
    protected Task<int> FlushAll()
    {
        var count = state.State.Queued.Count;
        _flushAll = true;
        Schedule();
        return Task.FromResult(count);
    }

    private bool Due(DateTimeOffset now) =>
        state.State.Queued.Count > 0 && now >= _pausedUntil
        && (_flushAll || state.State.Queued.Count >= BatchSize || now - AddedOf(state.State.Queued[0]) >= BatchWait || Fit(state.State.Queued) < state.State.Queued.Count);

    private void Schedule()
    {
        if (_sending || state.State.Queued.Count == 0)
        {
            return;
        }

        var now = DateTimeOffset.UtcNow;
        if (Due(now))
        {
            _timer?.Dispose();
            _timer = null;
            _sending = true;
            _ = SendLoopAsync(); // on the grain's scheduler; its awaits interleave with Add calls
            return;
        }

        var due = AddedOf(state.State.Queued[0]) + BatchWait - now;
        if (_pausedUntil - now > due)
        {
            due = _pausedUntil - now;
        }

        _timer?.Dispose();
        _timer = this.RegisterGrainTimer(() =>
        {
            Schedule();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan) { Interleave = true });
    }

    private async Task SendLoopAsync()
    {
        try
        {
            while (Due(DateTimeOffset.UtcNow))
            {
                var batch = state.State.Queued.Take(Math.Max(1, Fit(state.State.Queued))).ToList();
                state.State.Queued.RemoveRange(0, batch.Count);
                state.State.Sending.AddRange(batch);
                if (state.State.Queued.Count == 0)
                {
                    _flushAll = false;
                }

                await state.WriteStateAsync();
                await SendBatchAsync(batch);
            }
        }
        catch (Exception e)
        {
            // Persisting failed: put the batch back and pause, rather than spin on a broken database.
            LogLoopFailed(logger, e, What, MinerId);
            state.State.Queued.InsertRange(0, state.State.Sending);
            state.State.Sending.Clear();
            _pausedUntil = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5);
        }
        finally
        {
            _sending = false;
            Schedule();
        }
    }

    private async Task SendBatchAsync(List<TEntry> batch)
    {
        var outcomes = new Dictionary<ulong, BatchOutcome>();
        var send = new List<TEntry>();
        foreach (var entry in batch)
        {
            try
            {
                if (await OnChainAsync(entry))
                {
                    outcomes[NumberOf(entry)] = new BatchOutcome(true, null, 0, "");
                    continue;
                }
            }
            catch (Exception e) when (e is ChainException or ChainUnavailableException)
            {
                // Unknown: send it; a duplicate is refused by the chain and the sector's retry finds it on chain.
            }

            send.Add(entry);
        }

        if (send.Count > 0)
        {
            var miner = GrainFactory.GetGrain<IMinerGrain>(Miner.ToString(options.AddressNetwork));
            IReadOnlyList<BatchOutcome> results;
            try
            {
                results = await SendAsync(miner, send);
                state.State.MessagesSent++;
                LogSent(logger, What, MinerId, send.Count, results.Count(r => r.Landed), results.FirstOrDefault()?.Message);
            }
            catch (Exception e)
            {
                LogSendFailed(logger, What, MinerId, send.Count, e.Message);
                var failed = new BatchOutcome(false, (e as MinerMessageFailedException)?.Cid ?? (e as MinerMessageTimeoutException)?.Cid, 0,
                    $"{What} message for sectors {string.Join(",", send.Select(NumberOf))} failed: {e.Message}");
                results = [.. send.Select(_ => failed)];
            }

            for (var i = 0; i < send.Count; i++)
            {
                outcomes[NumberOf(send[i])] = results[i];
            }
        }

        state.State.Sending.RemoveAll(e => outcomes.ContainsKey(NumberOf(e)));
        await state.WriteStateAsync();
        foreach (var (number, outcome) in outcomes)
        {
            try
            {
                await NotifyAsync(number, outcome);
            }
            catch (Exception e)
            {
                // The sector's watchdog finds the outcome on chain (or re-adds itself) when this one-way call is lost.
                LogNotifyFailed(logger, e, What, MinerId, number);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "miner t0{Miner}: {What} batch of {Count} sectors sent, {Landed} landed (message {Message})")]
    private static partial void LogSent(ILogger logger, string what, ulong miner, int count, int landed, string? message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner t0{Miner}: {What} batch of {Count} sectors failed: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string what, ulong miner, int count, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "miner t0{Miner}: the {What} batcher's send loop failed; it retries on the next add or timer")]
    private static partial void LogLoopFailed(ILogger logger, Exception error, string what, ulong miner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner t0{Miner}: telling sector {Number} its {What} outcome failed")]
    private static partial void LogNotifyFailed(ILogger logger, Exception error, string what, ulong miner, ulong number);
}
