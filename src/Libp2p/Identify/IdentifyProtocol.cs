using Granary.Libp2p.Host;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;

namespace Granary.Libp2p.Identify;

/// <summary>
/// Identify (libp2p/specs identify): whoever opens <see cref="Id"/> asks; the other side writes its
/// uvarint-length-prefixed <c>Identify</c> protobuf and closes. With <see cref="PushId"/> the opener sends its own
/// (possibly partial) message instead. A response may be split over several messages (js and go read up to 10 and
/// merge them); we send one.
/// </summary>
public static class IdentifyProtocol
{
    /// <summary>The identify protocol id.</summary>
    public const string Id = "/ipfs/id/1.0.0";

    /// <summary>The identify push protocol id.</summary>
    public const string PushId = "/ipfs/id/push/1.0.0";

    /// <summary>The protocolVersion every libp2p implementation announces.</summary>
    public const string ProtocolVersion = "ipfs/0.1.0";

    /// <summary>The js/go limit on one identify message, and our default.</summary>
    public const int DefaultMaxMessageSize = 8 * 1024;

    /// <summary>Most length-prefixed messages read from one identify stream (as js and go).</summary>
    public const int MaxMessages = 10;

    /// <summary>
    /// Our identify message, length-prefixed. Listen addresses that would push it over
    /// <paramref name="maxSize"/> are left out (the last ones first).
    /// </summary>
    /// <exception cref="InvalidOperationException">Even without addresses the message exceeds the limit (too many protocols).</exception>
    internal static byte[] BuildResponse(
        PublicKey key,
        string agentVersion,
        IReadOnlyList<Multiaddr> listenAddrs,
        Multiaddr? observedAddr,
        IReadOnlyList<string> protocols,
        int maxSize)
    {
        var message = new IdentifyMessage
        {
            ProtocolVersion = ProtocolVersion,
            AgentVersion = agentVersion,
            PublicKey = key.ToProtobuf(),
            ObservedAddr = observedAddr?.ToBytes(),
            Protocols = [.. protocols],
        };

        for (var count = listenAddrs.Count; count >= 0; count--)
        {
            message.ListenAddrs = [.. listenAddrs.Take(count).Select(a => a.ToBytes())];
            var body = message.Encode();
            if (body.Length <= maxSize)
            {
                return LengthPrefixed.Frame(body);
            }
        }

        throw new InvalidOperationException($"our identify message exceeds {maxSize} bytes even without listen addresses ({protocols.Count} protocols)");
    }

    /// <summary>Responder side: writes the prepared message and half-closes.</summary>
    internal static async Task RespondAsync(Libp2pStream stream, byte[] framedMessage, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(framedMessage, cancellationToken).ConfigureAwait(false);
        await stream.CloseWriteAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Reads what the peer sends until its FIN: up to <see cref="MaxMessages"/> length-prefixed messages of at most
    /// <paramref name="maxMessageSize"/> bytes each, merged.
    /// </summary>
    /// <exception cref="Libp2pProtocolException">No message at all, too many, or a malformed or oversized one.</exception>
    internal static async Task<IdentifyMessage> ReadAsync(Stream stream, int maxMessageSize, CancellationToken cancellationToken)
    {
        var merged = new List<byte>();
        for (var count = 0; ; count++)
        {
            var body = await LengthPrefixed.ReadAsync(stream, maxMessageSize, cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                return count == 0
                    ? throw new Libp2pProtocolException("identify: the stream ended without an identify message")
                    : IdentifyMessage.Decode(merged.ToArray(), MaxMessages * maxMessageSize);
            }

            if (count == MaxMessages)
            {
                throw new Libp2pProtocolException($"identify: more than {MaxMessages} messages on one stream");
            }

            // Concatenated protobuf messages decode as their merge, which is the defined way to combine them.
            merged.AddRange(body);
        }
    }
}
