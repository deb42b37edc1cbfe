using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Granary.Chain.Json;
using Granary.Chain.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Chain.Rpc;

/// <summary>
/// One websocket served by <see cref="ChainRpcServer"/>, speaking go-jsonrpc's websocket protocol: calls run
/// concurrently and are answered as they finish; a channel method answers with a channel id, then sends
/// <c>xrpc.ch.val</c> notifications and finally <c>xrpc.ch.close</c>; <c>xrpc.cancel [id]</c> cancels call
/// <c>id</c> (closing its channel).
/// </summary>
internal sealed partial class ChainRpcWebSocketSession(ChainRpcServer server, WebSocket socket, Func<string, bool>? authorize)
{
    /// <summary>Most calls and channels running at once on one socket.</summary>
    public const int MaxInFlight = 256;

    /// <summary>Most open channels on one socket.</summary>
    public const int MaxChannels = 16;

    private const string ChannelValue = "xrpc.ch.val";
    private const string ChannelClose = "xrpc.ch.close";
    private const string Cancel = "xrpc.cancel";

    private readonly ILogger _logger = server.Logger;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, Task> _running = new();
    private long _nextTask;
    private long _nextChannel;
    private int _channels;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (!session.IsCancellationRequested)
            {
                byte[]? message;
                try
                {
                    message = await WebSocketMessages.ReceiveAsync(socket, session.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException)
                {
                    break;
                }

                if (message is null)
                {
                    break;
                }

                await HandleAsync(message, session.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            await session.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(_running.Values).ConfigureAwait(false);
            await WebSocketMessages.CloseQuietlyAsync(socket, WebSocketCloseStatus.NormalClosure, "bye").ConfigureAwait(false);
            _sendLock.Dispose();
        }
    }

    private async Task HandleAsync(byte[] message, CancellationToken session)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = LotusJson.MaxDepth });
        }
        catch (JsonException e)
        {
            await SendAsync(JsonRpcFrames.Error(null, JsonRpcErrorCodes.ParseError, $"Parse error: {e.Message}"), session).ConfigureAwait(false);
            return;
        }

        // The document must outlive the call that reads its params, so the call owns it from here.
        var frame = document.RootElement;
        if (frame.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            await SendAsync(JsonRpcFrames.Error(null, JsonRpcErrorCodes.InvalidRequest, "Invalid request: one JSON-RPC object per websocket message"), session).ConfigureAwait(false);
            return;
        }

        JsonElement? id = frame.TryGetProperty("id", out var idElement) && idElement.ValueKind != JsonValueKind.Null ? idElement : null;
        if (!frame.TryGetProperty("method", out var methodElement) || methodElement.ValueKind != JsonValueKind.String)
        {
            // A response to a call of ours (we make none) or garbage: go-jsonrpc ignores both without an id.
            if (id is not null && !frame.TryGetProperty("result", out _) && !frame.TryGetProperty("error", out _))
            {
                await SendAsync(JsonRpcFrames.Error(id, JsonRpcErrorCodes.InvalidRequest, "Invalid request: missing method"), session).ConfigureAwait(false);
            }

            document.Dispose();
            return;
        }

        var method = methodElement.GetString()!;
        switch (method)
        {
            case Cancel:
                CancelCall(frame);
                document.Dispose();
                return;
            case ChannelValue or ChannelClose:
                // The client has no channels for us: nothing we serve takes a channel param.
                document.Dispose();
                return;
        }

        if (_running.Count >= MaxInFlight)
        {
            document.Dispose();
            if (id is not null)
            {
                await SendAsync(JsonRpcFrames.Error(id, JsonRpcErrorCodes.MethodError, $"too many calls in flight on this connection (at most {MaxInFlight})"), session).ConfigureAwait(false);
            }

            return;
        }

        var key = id?.GetRawText();
        var call = CancellationTokenSource.CreateLinkedTokenSource(session);
        if (key is not null && !_calls.TryAdd(key, call))
        {
            call.Dispose();
            document.Dispose();
            await SendAsync(JsonRpcFrames.Error(id, JsonRpcErrorCodes.InvalidRequest, $"a call with id {key} is already running"), session).ConfigureAwait(false);
            return;
        }

        var serial = Interlocked.Increment(ref _nextTask);
        var task = RunCallAsync(document, id, key, method, frame, call, session);
        _running[serial] = task;
        _ = task.ContinueWith(_ => _running.TryRemove(serial, out var _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RunCallAsync(JsonDocument document, JsonElement? id, string? key, string method, JsonElement frame, CancellationTokenSource call, CancellationToken session)
    {
        // Run off the receive loop so a slow call (StateWaitMsg) does not hold up the next message.
        await Task.Yield();
        try
        {
            using (document)
            {
                if (method == ChainRpcMethods.ChainNotify && id is not null)
                {
                    await RunChannelAsync(id.Value.Clone(), method, frame, call.Token, session).ConfigureAwait(false);
                    return;
                }

                var answer = await server.InvokeAsync(id, method, frame, authorize, websocket: true, call.Token).ConfigureAwait(false);
                if (id is not null)
                {
                    await SendAsync(answer, session).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogCallFailed(e, method);
        }
        catch (OperationCanceledException)
        {
            // The session ended.
        }
        finally
        {
            if (key is not null)
            {
                _calls.TryRemove(key, out _);
            }

            call.Dispose();
        }
    }

    private async Task RunChannelAsync(JsonElement id, string method, JsonElement frame, CancellationToken call, CancellationToken session)
    {
        if (server.Check(id, method, frame, authorize, out _, out _) is { } refusal)
        {
            await SendAsync(refusal, session).ConfigureAwait(false);
            return;
        }

        if (Interlocked.Increment(ref _channels) > MaxChannels)
        {
            Interlocked.Decrement(ref _channels);
            await SendAsync(JsonRpcFrames.Error(id, JsonRpcErrorCodes.MethodError, $"too many open channels on this connection (at most {MaxChannels})"), session).ConfigureAwait(false);
            return;
        }

        var channel = Interlocked.Increment(ref _nextChannel);
        try
        {
            // The channel id first, then values: the client registers the channel on this answer.
            await SendAsync(JsonRpcFrames.Result(id, channel, typeof(long), server.Options), session).ConfigureAwait(false);
            await foreach (var changes in server.Node.ChainNotify(call).ConfigureAwait(false))
            {
                await SendAsync(JsonRpcFrames.Notification(ChannelValue, w =>
                {
                    w.WriteNumberValue(channel);
                    JsonSerializer.Serialize(w, changes, typeof(IReadOnlyList<HeadChange>), server.Options);
                }), session).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (call.IsCancellationRequested)
        {
            // Cancelled by xrpc.cancel or the end of the session: close the channel below.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogCallFailed(e, method);
        }
        finally
        {
            Interlocked.Decrement(ref _channels);
            if (!session.IsCancellationRequested)
            {
                await SendAsync(JsonRpcFrames.Notification(ChannelClose, w => w.WriteNumberValue(channel)), session).ConfigureAwait(false);
            }
        }
    }

    /// <summary><c>xrpc.cancel [id]</c>: cancels the call with that id, if it is still running.</summary>
    private void CancelCall(JsonElement frame)
    {
        if (frame.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Array && p.GetArrayLength() == 1
            && _calls.TryGetValue(p[0].GetRawText(), out var call))
        {
            try
            {
                call.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It finished meanwhile.
            }
        }
    }

    private async Task SendAsync(byte[] frame, CancellationToken session)
    {
        try
        {
            await _sendLock.WaitAsync(session).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            return;
        }

        try
        {
            await WebSocketMessages.SendAsync(socket, frame, session).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer is gone; the receive loop ends the session.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "chain RPC websocket call {Method} failed")]
    private partial void LogCallFailed(Exception exception, string method);
}
