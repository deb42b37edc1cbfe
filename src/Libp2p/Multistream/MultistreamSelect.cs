namespace Granary.Libp2p.Multistream;

/// <summary>
/// multistream-select 1.0 (multiformats/multistream-select): agree on one protocol for a fresh stream. Both sides
/// send <c>/multistream/1.0.0</c>; the initiator proposes ids one at a time, the responder echoes the one it accepts
/// or answers <c>na</c> (and lists its ids on <c>ls</c>). Neither side reads a byte past the accepted answer, so data
/// the peer pipelined after the negotiation is left in the stream for the protocol that follows.
/// </summary>
public static class MultistreamSelect
{
    /// <summary>The header both sides send first.</summary>
    public const string ProtocolId = "/multistream/1.0.0";

    /// <summary>Longest protocol id, in UTF-8 bytes, that we send or accept (js and go use 1024).</summary>
    public const int MaxProtocolLength = 1024;

    /// <summary>How many <c>na</c> or <c>ls</c> answers a responder gives before it drops the peer.</summary>
    public const int MaxNegotiationRounds = 64;

    /// <summary>
    /// Initiator: sends the header and the first proposal in one write, then tries the next protocol on each
    /// <c>na</c>. Returns the accepted protocol.
    /// </summary>
    /// <exception cref="ProtocolNotSupportedException">The peer answered <c>na</c> to every protocol.</exception>
    /// <exception cref="Libp2pProtocolException">The peer broke the protocol (no header, malformed message, an answer that is neither the proposal nor <c>na</c>).</exception>
    /// <exception cref="ArgumentException">No protocols, or an empty, over-long or newline-containing id.</exception>
    public static async Task<string> SelectAsync(Stream stream, IReadOnlyList<string> protocols, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(protocols);
        if (protocols.Count == 0)
        {
            throw new ArgumentException("at least one protocol is needed", nameof(protocols));
        }

        // All ids are checked before anything is sent; each is measured again when staged rather than kept in an array.
        for (var i = 0; i < protocols.Count; i++)
        {
            MultistreamMessage.ValidateProtocolId(protocols[i], nameof(protocols));
        }

        cancellationToken.ThrowIfCancellationRequested();
        using var channel = new MultistreamChannel(stream);
        for (var i = 0; i < protocols.Count; i++)
        {
            if (i == 0)
            {
                channel.Stage(MultistreamMessage.Header);
            }

            channel.Stage(protocols[i], MultistreamMessage.StrictUtf8.GetByteCount(protocols[i]));
            await channel.SendAsync(cancellationToken).ConfigureAwait(false);
            if (i == 0)
            {
                await channel.ReceiveHeaderAsync(cancellationToken).ConfigureAwait(false);
            }

            await channel.ReceiveAsync(MultistreamMessage.MaxProtocolMessageLength, cancellationToken).ConfigureAwait(false);
            if (channel.ReceivedLastStaged())
            {
                return protocols[i];
            }

            if (!channel.ReceivedIs(MultistreamMessage.Na))
            {
                throw new Libp2pProtocolException(
                    $"multistream: proposed '{protocols[i]}', expected it echoed or 'na', got {channel.ReceivedExcerpt()}");
            }
        }

        throw new ProtocolNotSupportedException(protocols);
    }

    /// <summary><see cref="SelectAsync(Stream, IReadOnlyList{string}, CancellationToken)"/> for a single protocol.</summary>
    public static Task<string> SelectOneAsync(Stream stream, string protocol, CancellationToken cancellationToken = default) =>
        SelectAsync(stream, [protocol], cancellationToken);

    /// <summary>
    /// Responder: sends the header at once (not waiting for the peer's, so an initiator that waits for it before
    /// proposing still makes progress), requires the peer's header, then answers proposals — the echo for the first
    /// one <paramref name="isSupported"/> accepts, <c>na</c> otherwise — and <c>ls</c> with
    /// <paramref name="list"/>. Returns the accepted protocol.
    /// </summary>
    /// <exception cref="Libp2pProtocolException">No header, a malformed or non-UTF-8 message, or more than
    /// <see cref="MaxNegotiationRounds"/> rounds without agreement.</exception>
    public static async Task<string> HandleAsync(
        Stream stream,
        Func<string, bool> isSupported,
        Func<IReadOnlyCollection<string>> list,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(isSupported);
        ArgumentNullException.ThrowIfNull(list);
        cancellationToken.ThrowIfCancellationRequested();
        using var channel = new MultistreamChannel(stream);
        channel.Stage(MultistreamMessage.Header);
        await channel.SendAsync(cancellationToken).ConfigureAwait(false);
        await channel.ReceiveHeaderAsync(cancellationToken).ConfigureAwait(false);
        for (var rounds = 0; ; )
        {
            await channel.ReceiveAsync(MultistreamMessage.MaxProtocolMessageLength, cancellationToken).ConfigureAwait(false);
            var isList = channel.ReceivedIs(MultistreamMessage.Ls);
            var protocol = isList ? null : channel.ReceivedText();
            if (protocol is not null && isSupported(protocol))
            {
                channel.StageReceived();
                await channel.SendAsync(cancellationToken).ConfigureAwait(false);
                return protocol;
            }

            if (++rounds > MaxNegotiationRounds)
            {
                throw new Libp2pProtocolException(
                    $"multistream: no agreement after {MaxNegotiationRounds} rounds (last message {channel.ReceivedExcerpt()})");
            }

            if (isList)
            {
                await channel.SendListAsync(list(), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                channel.Stage(MultistreamMessage.Na);
                await channel.SendAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// <see cref="HandleAsync(Stream, Func{string, bool}, Func{IReadOnlyCollection{string}}, CancellationToken)"/>
    /// for a fixed set of protocols (matched by the collection's own Contains).
    /// </summary>
    public static Task<string> HandleAsync(Stream stream, IReadOnlyCollection<string> protocols, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        return HandleAsync(stream, protocols.Contains, () => protocols, cancellationToken);
    }
}
