using System.Buffers;
using System.Net.WebSockets;
using Granary.Chain.Json;

namespace Granary.Chain.Rpc;

/// <summary>Whole JSON text messages over a websocket (go-jsonrpc sends one JSON frame per message), bounded in size.</summary>
internal static class WebSocketMessages
{
    /// <summary>The next message's bytes, or null when the peer closed.</summary>
    /// <exception cref="WebSocketException">The message is larger than <see cref="LotusJson.MaxDocumentBytes"/> (the socket is closed with MessageTooBig) or the connection broke.</exception>
    public static async Task<byte[]?> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 << 10);
        try
        {
            using var message = new MemoryStream();
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                if (message.Length + result.Count > LotusJson.MaxDocumentBytes)
                {
                    await CloseQuietlyAsync(socket, WebSocketCloseStatus.MessageTooBig, $"message larger than {LotusJson.MaxDocumentBytes} bytes").ConfigureAwait(false);
                    throw new WebSocketException(WebSocketError.Faulted, $"websocket message larger than {LotusJson.MaxDocumentBytes} bytes");
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    return message.ToArray();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends one text message.</summary>
    public static ValueTask SendAsync(WebSocket socket, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        socket.SendAsync(json, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    /// <summary>Closes the socket if it is still open, ignoring a peer that already went away.</summary>
    public static async Task CloseQuietlyAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseOutputAsync(status, reason, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer is gone; nothing to tell it.
        }
    }
}
