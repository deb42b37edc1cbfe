using System.Buffers;

namespace Granary.Libp2p.Yamux;

/// <summary>
/// The session's single write path. Producers encode a whole frame (header and payload contiguous) into a pooled
/// buffer and append it to a queue without blocking: the read loop must never wait on the connection's write side
/// (both peers blocked writing window updates while nobody reads is a deadlock). One loop drains the queue,
/// packing small frames into one write and writing big DATA frames as they are. DATA producers wait
/// (<see cref="WaitForRoomAsync"/>) while more than a high-water mark is queued, which is the back-pressure from
/// the connection to the streams.
/// </summary>
internal sealed class YamuxFrameWriter(Stream connection, long highWater)
{
    private const int BatchSize = 64 * 1024;
    private const int CoalesceLimit = 16 * 1024;

    private readonly Lock _gate = new();
    private List<Frame> _queue = [];
    private List<Frame>? _spare = [];
    private long _queuedBytes;
    private bool _completing;
    private TaskCompletionSource? _frameQueued;
    private TaskCompletionSource? _roomMade;

    /// <summary>Queues a frame without payload; false once the writer is completing.</summary>
    public bool TryEnqueue(YamuxFrameHeader header) => TryEnqueue(header, [], isData: false, written: null);

    /// <summary>Queues a frame without payload and returns a task that completes once it was written.</summary>
    public Task? TryEnqueueAndWait(YamuxFrameHeader header)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return TryEnqueue(header, [], isData: false, written) ? written.Task : null;
    }

    /// <summary>Queues a DATA frame (the payload is copied); false once the writer is completing.</summary>
    public bool TryEnqueueData(YamuxFrameHeader header, ReadOnlySpan<byte> payload) => TryEnqueue(header, payload, isData: true, written: null);

    /// <summary>Completes at once unless more than the high-water mark is queued; then when the loop caught up.</summary>
    public ValueTask WaitForRoomAsync(CancellationToken ct)
    {
        Task room;
        lock (_gate)
        {
            if (_queuedBytes <= highWater || _completing)
            {
                return default;
            }

            _roomMade ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            room = _roomMade.Task;
        }

        return new ValueTask(room.WaitAsync(ct));
    }

    /// <summary>
    /// Accepts no further frames; the loop ends after writing what is queued and then <paramref name="last"/>.
    /// With <paramref name="dropData"/>, DATA frames not yet written are discarded first (the session failed, so
    /// their streams failed too, and the GO_AWAY should not wait behind megabytes of data).
    /// </summary>
    public void Complete(YamuxFrameHeader? last, bool dropData)
    {
        TaskCompletionSource? wake;
        TaskCompletionSource? room;
        List<Frame> dropped = [];
        lock (_gate)
        {
            if (_completing)
            {
                return;
            }

            _completing = true;
            if (dropData)
            {
                dropped.AddRange(_queue.Where(f => f.IsData));
                _queue.RemoveAll(f => f.IsData);
                _queuedBytes -= dropped.Sum(f => (long)f.Length);
            }

            if (last is { } header)
            {
                _queue.Add(Encode(header, [], isData: false, written: null));
            }

            wake = _frameQueued;
            _frameQueued = null;
            room = _roomMade;
            _roomMade = null;
        }

        foreach (var frame in dropped)
        {
            ArrayPool<byte>.Shared.Return(frame.Buffer);
        }

        wake?.TrySetResult();
        room?.TrySetResult();
    }

    /// <summary>The write loop; returns when completed and drained, throws when the connection fails.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var batch = ArrayPool<byte>.Shared.Rent(BatchSize);
        List<Frame>? frames = null;
        try
        {
            while (true)
            {
                Task? queued = null;
                lock (_gate)
                {
                    if (_queue.Count == 0)
                    {
                        if (_completing)
                        {
                            return;
                        }

                        _frameQueued ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        queued = _frameQueued.Task;
                    }
                    else
                    {
                        // Swap lists: producers fill the spare one while this batch is written.
                        frames = _queue;
                        _queue = _spare ?? [];
                        _spare = null;
                    }
                }

                if (queued is not null)
                {
                    await queued.ConfigureAwait(false);
                    continue;
                }

                var bytes = await WriteAsync(frames!, batch, ct).ConfigureAwait(false);
                foreach (var frame in frames!)
                {
                    ArrayPool<byte>.Shared.Return(frame.Buffer);
                    frame.Written?.TrySetResult();
                }

                frames!.Clear();
                TaskCompletionSource? room = null;
                lock (_gate)
                {
                    _spare = frames;
                    frames = null;
                    _queuedBytes -= bytes;
                    if (_queuedBytes <= highWater)
                    {
                        room = _roomMade;
                        _roomMade = null;
                    }
                }

                room?.TrySetResult();
            }
        }
        catch (Exception ex)
        {
            Fail(frames, ex);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(batch);
        }
    }

    private async ValueTask<long> WriteAsync(List<Frame> frames, byte[] batch, CancellationToken ct)
    {
        long bytes = 0;
        var used = 0;
        foreach (var frame in frames)
        {
            bytes += frame.Length;
            if (frame.Length > CoalesceLimit || frame.Length > batch.Length - used)
            {
                if (used > 0)
                {
                    await connection.WriteAsync(batch.AsMemory(0, used), ct).ConfigureAwait(false);
                    used = 0;
                }

                if (frame.Length > CoalesceLimit)
                {
                    await connection.WriteAsync(frame.Buffer.AsMemory(0, frame.Length), ct).ConfigureAwait(false);
                    continue;
                }
            }

            frame.Buffer.AsSpan(0, frame.Length).CopyTo(batch.AsSpan(used));
            used += frame.Length;
        }

        if (used > 0)
        {
            await connection.WriteAsync(batch.AsMemory(0, used), ct).ConfigureAwait(false);
        }

        await connection.FlushAsync(ct).ConfigureAwait(false);
        return bytes;
    }

    private bool TryEnqueue(YamuxFrameHeader header, ReadOnlySpan<byte> payload, bool isData, TaskCompletionSource? written)
    {
        var frame = Encode(header, payload, isData, written);
        TaskCompletionSource? wake;
        lock (_gate)
        {
            if (_completing)
            {
                ArrayPool<byte>.Shared.Return(frame.Buffer);
                return false;
            }

            _queue.Add(frame);
            _queuedBytes += frame.Length;
            wake = _frameQueued;
            _frameQueued = null;
        }

        wake?.TrySetResult();
        return true;
    }

    private static Frame Encode(YamuxFrameHeader header, ReadOnlySpan<byte> payload, bool isData, TaskCompletionSource? written)
    {
        var length = YamuxFrameHeader.Size + payload.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        header.Write(buffer);
        payload.CopyTo(buffer.AsSpan(YamuxFrameHeader.Size));
        return new Frame(buffer, length, isData, written);
    }

    private void Fail(List<Frame>? inFlight, Exception ex)
    {
        List<Frame> pending;
        TaskCompletionSource? room;
        lock (_gate)
        {
            _completing = true;
            pending = _queue;
            _queue = [];
            _queuedBytes = 0;
            room = _roomMade;
            _roomMade = null;
        }

        foreach (var frame in (inFlight ?? []).Concat(pending))
        {
            ArrayPool<byte>.Shared.Return(frame.Buffer);
            frame.Written?.TrySetException(ex);
        }

        room?.TrySetResult();
    }

    private readonly record struct Frame(byte[] Buffer, int Length, bool IsData, TaskCompletionSource? Written);
}
