using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;
using Microsoft.Extensions.Logging;

namespace Granary.Libp2p.Host;

/// <summary>
/// Source-generated log messages of the libp2p host (event ids 3200-3299). Levels: a peer misbehaving is routine on
/// the internet (Information or Debug); a limit being hit or our own code failing is worth an operator's look (Warning).
/// </summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 3200, Level = LogLevel.Information, Message = "libp2p host {PeerId} listening on {Address}")]
    public static partial void Listening(this ILogger logger, PeerId peerId, Multiaddr address);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Closed inbound connection from {Remote}: {Open} inbound connections are open, the limit is {Limit}")]
    public static partial void InboundConnectionLimit(this ILogger logger, string remote, int open, int limit);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Closed inbound connection from {Peer} at {Remote}: {Open} connections to that peer are open, the limit is {Limit}")]
    public static partial void PeerConnectionLimit(this ILogger logger, PeerId peer, Multiaddr remote, int open, int limit);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Information, Message = "Dropped {Direction} connection with {Remote}: handshake not finished within {Timeout}")]
    public static partial void HandshakeTimeout(this ILogger logger, ConnectionDirection direction, string remote, TimeSpan timeout);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Information, Message = "Dropped {Direction} connection with {Remote}: handshake failed: {Reason}")]
    public static partial void HandshakeFailed(this ILogger logger, ConnectionDirection direction, string remote, string reason);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Debug, Message = "{Direction} connection with {Peer} at {Remote} is up (muxer {Muxer}, inlined {Inlined})")]
    public static partial void ConnectionOpened(this ILogger logger, ConnectionDirection direction, PeerId peer, Multiaddr remote, string muxer, bool inlined);

    [LoggerMessage(EventId = 3206, Level = LogLevel.Debug, Message = "Connection with {Peer} at {Remote} closed: {Reason}")]
    public static partial void ConnectionClosed(this ILogger logger, PeerId peer, Multiaddr remote, string reason);

    [LoggerMessage(EventId = 3207, Level = LogLevel.Information, Message = "Closing connection with {Peer} at {Remote}: no stream for {Idle}")]
    public static partial void IdleConnection(this ILogger logger, PeerId peer, Multiaddr remote, TimeSpan idle);

    [LoggerMessage(EventId = 3208, Level = LogLevel.Debug, Message = "Reset inbound stream from {Peer}: protocol negotiation failed: {Reason}")]
    public static partial void StreamNegotiationFailed(this ILogger logger, PeerId peer, string reason);

    [LoggerMessage(EventId = 3209, Level = LogLevel.Information, Message = "Reset inbound stream from {Peer}: protocol negotiation not finished within {Timeout}")]
    public static partial void StreamNegotiationTimeout(this ILogger logger, PeerId peer, TimeSpan timeout);

    [LoggerMessage(EventId = 3210, Level = LogLevel.Warning, Message = "Handler for {Protocol} failed on a stream from {Peer}; that stream is reset")]
    public static partial void HandlerFailed(this ILogger logger, string protocol, PeerId peer, Exception exception);

    [LoggerMessage(EventId = 3211, Level = LogLevel.Debug, Message = "Identified {Peer}: agent {Agent}, {Protocols} protocols, {Addresses} listen addresses")]
    public static partial void Identified(this ILogger logger, PeerId peer, string? agent, int protocols, int addresses);

    [LoggerMessage(EventId = 3212, Level = LogLevel.Information, Message = "Identify with {Peer} failed; its result is dropped: {Reason}")]
    public static partial void IdentifyFailed(this ILogger logger, PeerId peer, string reason);

    [LoggerMessage(EventId = 3213, Level = LogLevel.Warning, Message = "Accepting on {Address} failed; the listener goes on")]
    public static partial void AcceptFailed(this ILogger logger, Multiaddr address, Exception exception);

    [LoggerMessage(EventId = 3214, Level = LogLevel.Warning, Message = "Host shutdown: {Open} connections did not close within {Timeout}; their sockets were cut")]
    public static partial void ShutdownTimedOut(this ILogger logger, int open, TimeSpan timeout);

    [LoggerMessage(EventId = 3215, Level = LogLevel.Debug, Message = "Reset ping stream from {Peer}: {Limit} inbound ping streams are already open on that connection")]
    public static partial void PingStreamLimit(this ILogger logger, PeerId peer, int limit);

    [LoggerMessage(EventId = 3216, Level = LogLevel.Warning, Message = "A {Event} event handler threw")]
    public static partial void EventHandlerFailed(this ILogger logger, string @event, Exception exception);

    [LoggerMessage(EventId = 3217, Level = LogLevel.Debug, Message = "Dial {Address} failed: {Reason}")]
    public static partial void DialFailed(this ILogger logger, Multiaddr address, string reason);

    [LoggerMessage(EventId = 3218, Level = LogLevel.Debug, Message = "Inbound stream from {Peer} ended with an error in {Protocol}: {Reason}")]
    public static partial void StreamFailed(this ILogger logger, PeerId peer, string protocol, string reason);
}
