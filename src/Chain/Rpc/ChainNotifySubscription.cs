using System.Net.WebSockets;
using System.Text.Json;
using Granary.Chain.Json;
using Granary.Chain.Model;

namespace Granary.Chain.Rpc;

/// <summary>
/// A <c>Filecoin.ChainNotify</c> subscription over a websocket, as go-jsonrpc's client makes one: the call is
/// answered with a channel id; the node then sends <c>{"method":"xrpc.ch.val","params":[id, [HeadChange…]]}</c>
/// per batch of changes and <c>xrpc.ch.close [id]</c> when it ends the channel; the client ends it with
/// <c>xrpc.cancel [requestId]</c>.
/// </summary>
internal sealed class ChainNotifySubscription : IAsyncDisposable
{
    private const long RequestId = 1;
    private readonly ClientWebSocket _socket;
    private readonly ChainRpcEndpoint _endpoint;
    private readonly JsonSerializerOptions _json;
    private readonly long _channel;
    private bool _closed;

    private ChainNotifySubscription(ClientWebSocket socket, ChainRpcEndpoint endpoint, JsonSerializerOptions json, long channel)
    {
        _socket = socket;
        _endpoint = endpoint;
        _json = json;
        _channel = channel;
    }

    /// <summary>Connects, subscribes and waits for the channel id.</summary>
    /// <exception cref="ChainUnavailableException">The node cannot be reached or does not answer in time.</exception>
    /// <exception cref="ChainRpcException">The node refused the subscription.</exception>
    public static async Task<ChainNotifySubscription> OpenAsync(ChainRpcEndpoint endpoint, ChainRpcClientOptions options, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.KeepAliveInterval = options.KeepAliveInterval;
            if (endpoint.Token is { } token)
            {
                socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(endpoint.WebSocketUrl, timeout.Token).ConfigureAwait(false);
                await WebSocketMessages.SendAsync(socket, JsonRpcFrames.Request(RequestId, ChainRpcMethods.ChainNotify, [], json), timeout.Token).ConfigureAwait(false);
                while (true)
                {
                    var message = await WebSocketMessages.ReceiveAsync(socket, timeout.Token).ConfigureAwait(false)
                        ?? throw new ChainUnavailableException($"{endpoint.WebSocketUrl} closed the websocket before answering Filecoin.ChainNotify");
                    if (ChannelId(message, endpoint) is { } channel)
                    {
                        return new ChainNotifySubscription(socket, endpoint, json, channel);
                    }
                }
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ChainUnavailableException($"{endpoint.WebSocketUrl} did not answer Filecoin.ChainNotify within {options.ConnectTimeout.TotalSeconds:0.#} s", e);
            }
            catch (WebSocketException e)
            {
                throw new ChainUnavailableException($"cannot subscribe to head changes at {endpoint.WebSocketUrl}: {e.Message}", e);
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The next batch of head changes, or null when the node closed the channel.</summary>
    /// <exception cref="ChainUnavailableException">The connection broke or the node sent something that is not the protocol.</exception>
    public async Task<IReadOnlyList<HeadChange>?> NextAsync(CancellationToken cancellationToken)
    {
        while (!_closed)
        {
            byte[]? message;
            try
            {
                message = await WebSocketMessages.ReceiveAsync(_socket, cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException e)
            {
                throw new ChainUnavailableException($"the head-change websocket to {_endpoint.WebSocketUrl} broke: {e.Message}", e);
            }

            if (message is null)
            {
                throw new ChainUnavailableException($"{_endpoint.WebSocketUrl} closed the head-change websocket");
            }

            if (Changes(message) is { } changes)
            {
                return changes;
            }
        }

        return null;
    }

    /// <summary>Cancels the subscription (best effort) and closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_closed && _socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                var cancel = JsonRpcFrames.Notification("xrpc.cancel", w => w.WriteNumberValue(RequestId));
                await WebSocketMessages.SendAsync(_socket, cancel, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The node is gone; closing is all that is left.
        }

        await WebSocketMessages.CloseQuietlyAsync(_socket, WebSocketCloseStatus.NormalClosure, "unsubscribed").ConfigureAwait(false);
        _socket.Dispose();
    }

    /// <summary>The channel id if <paramref name="message"/> answers the subscription; throws its error.</summary>
    private static long? ChannelId(byte[] message, ChainRpcEndpoint endpoint)
    {
        using var document = Parse(message, endpoint);
        var root = document.RootElement;
        if (!root.TryGetProperty("id", out var id) || !id.TryGetInt64(out var n) || n != RequestId || root.TryGetProperty("method", out _))
        {
            return null;
        }

        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            throw ChainRpcClient.RpcError(error, ChainRpcMethods.ChainNotify);
        }

        return root.TryGetProperty("result", out var result) && result.TryGetInt64(out var channel)
            ? channel
            : throw new ChainUnavailableException($"{endpoint.WebSocketUrl} answered Filecoin.ChainNotify without a channel id");
    }

    /// <summary>The changes if <paramref name="message"/> is a value on our channel; marks the end on its close.</summary>
    private IReadOnlyList<HeadChange>? Changes(byte[] message)
    {
        using var document = Parse(message, _endpoint);
        var root = document.RootElement;
        if (!root.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("params", out var p) || p.ValueKind != JsonValueKind.Array || p.GetArrayLength() == 0
            || !p[0].TryGetInt64(out var channel) || channel != _channel)
        {
            return null;
        }

        switch (method.GetString())
        {
            case "xrpc.ch.close":
                _closed = true;
                return null;
            case "xrpc.ch.val" when p.GetArrayLength() == 2:
                try
                {
                    return LotusJson.Deserialize<IReadOnlyList<HeadChange>>(p[1], _json)
                        ?? throw new JsonException("null head changes");
                }
                catch (JsonException e)
                {
                    throw new ChainUnavailableException($"{_endpoint.WebSocketUrl} sent head changes that are not Lotus's: {e.Message}", e);
                }

            default:
                return null;
        }
    }

    private static JsonDocument Parse(byte[] message, ChainRpcEndpoint endpoint)
    {
        try
        {
            var document = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = LotusJson.MaxDepth });
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            throw new ChainUnavailableException($"{endpoint.WebSocketUrl} sent a websocket message that is not a JSON-RPC object");
        }
        catch (JsonException e)
        {
            throw new ChainUnavailableException($"{endpoint.WebSocketUrl} sent a websocket message that is not JSON: {e.Message}", e);
        }
    }
}
