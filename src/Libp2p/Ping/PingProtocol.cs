using System.Diagnostics;
using System.Security.Cryptography;

// Namespace Host, not Ping: a namespace Granary.Libp2p.Ping would shadow every `Ping` identifier under Granary.Libp2p
// (yamux frame-type constants among them), and ping is one of the host's built-in protocols anyway.
namespace Granary.Libp2p.Host;

/// <summary>
/// Ping (libp2p/specs ping): the dialer sends 32 random bytes, the listener echoes them; repeatable on one stream.
/// The listener echoes until the dialer's FIN and then closes.
/// </summary>
public static class PingProtocol
{
    /// <summary>The ping protocol id.</summary>
    public const string Id = "/ipfs/ping/1.0.0";

    /// <summary>Size of one ping payload.</summary>
    public const int PayloadSize = 32;

    /// <summary>Most echoes served on one stream before the listener closes it.</summary>
    public const int MaxEchoesPerStream = 1024;

    /// <summary>Longest a ping stream may stay open at the listener (go-libp2p uses the same minute).</summary>
    public static readonly TimeSpan MaxStreamLifetime = TimeSpan.FromSeconds(60);

    /// <summary>Inbound ping streams open at once per connection (the spec's SHOULD: at most 2 per peer).</summary>
    public const int MaxInboundStreamsPerConnection = 2;

    /// <summary>Dialer side: one round trip on an open ping stream, then FIN. Returns the round-trip time.</summary>
    /// <exception cref="Libp2pProtocolException">The echo differs or the stream ended before it.</exception>
    internal static async Task<TimeSpan> PingAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var payload = RandomNumberGenerator.GetBytes(PayloadSize);
        var echo = new byte[PayloadSize];
        var started = Stopwatch.GetTimestamp();
        await stream.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
        var read = await stream.ReadAtLeastAsync(echo, PayloadSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        var rtt = Stopwatch.GetElapsedTime(started);
        if (read != PayloadSize)
        {
            throw new Libp2pProtocolException($"ping: {stream.RemotePeer} closed the stream after {read} of {PayloadSize} echo bytes");
        }

        if (!echo.AsSpan().SequenceEqual(payload))
        {
            throw new Libp2pProtocolException($"ping: {stream.RemotePeer} echoed different bytes");
        }

        await stream.CloseWriteAsync().ConfigureAwait(false);
        return rtt;
    }

    /// <summary>
    /// Listener side: echoes whole 32-byte payloads until the peer's FIN, then FIN; bounded by
    /// <see cref="MaxEchoesPerStream"/> and <see cref="MaxStreamLifetime"/>.
    /// </summary>
    /// <exception cref="Libp2pProtocolException">The peer ended inside a payload.</exception>
    internal static async Task RespondAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lifetime.CancelAfter(MaxStreamLifetime);
        var buffer = new byte[PayloadSize];
        for (var echoes = 0; echoes < MaxEchoesPerStream; echoes++)
        {
            var read = await stream.ReadAtLeastAsync(buffer, PayloadSize, throwOnEndOfStream: false, lifetime.Token).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            if (read != PayloadSize)
            {
                throw new Libp2pProtocolException($"ping: {stream.RemotePeer} closed the stream inside a payload ({read} of {PayloadSize} bytes)");
            }

            await stream.WriteAsync(buffer, lifetime.Token).ConfigureAwait(false);
        }

        await stream.CloseWriteAsync().ConfigureAwait(false);
    }
}
