using Microsoft.Extensions.Logging;

namespace Granary.Libp2p.Yamux;

/// <summary>Source-generated log messages of the yamux session (event ids 3100-3199).</summary>
internal static partial class YamuxLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Debug, Message = "Yamux session started as {Role}")]
    public static partial void SessionStarted(this ILogger logger, string role);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Yamux session ({Role}) closing with GO_AWAY(protocol error): {Reason}")]
    public static partial void ProtocolError(this ILogger logger, string role, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "Yamux session ({Role}) connection failed")]
    public static partial void ConnectionFailed(this ILogger logger, string role, Exception exception);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "Yamux session ({Role}) failed internally; closing with GO_AWAY(internal error)")]
    public static partial void InternalError(this ILogger logger, string role, Exception exception);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Debug, Message = "Yamux session ({Role}) closed: {Reason}")]
    public static partial void SessionClosed(this ILogger logger, string role, string reason);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Debug, Message = "Yamux refused inbound stream {StreamId}: {Reason}")]
    public static partial void StreamRefused(this ILogger logger, uint streamId, string reason);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Trace, Message = "Yamux ignored {Frame}: no such open stream")]
    public static partial void FrameIgnored(this ILogger logger, YamuxFrameHeader frame);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Debug, Message = "Yamux peer sent GO_AWAY ({Code}); no new streams")]
    public static partial void RemoteGoAway(this ILogger logger, YamuxGoAwayCode code);

    [LoggerMessage(EventId = 3108, Level = LogLevel.Debug, Message = "Yamux ignored a PING ACK with opaque {Opaque} that answers no ping of ours")]
    public static partial void UnsolicitedPingAck(this ILogger logger, uint opaque);

    [LoggerMessage(EventId = 3109, Level = LogLevel.Warning, Message = "Yamux keepalive ping unanswered within {Interval}; closing the session")]
    public static partial void KeepAliveTimeout(this ILogger logger, TimeSpan interval);
}
