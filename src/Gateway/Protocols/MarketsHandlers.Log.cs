using Microsoft.Extensions.Logging;

namespace Granary.Gateway.Protocols;

// Log messages of MarketsHandlers.
public sealed partial class MarketsHandlers
{
    [LoggerMessage(Level = LogLevel.Information, Message = "deal {Deal} from {Peer} over {Protocol}: accepted {Accepted} {Reason}")]
    private partial void LogDeal(Guid deal, string peer, string protocol, bool accepted, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "status of deal {Deal} for {Peer}: {Answer}")]
    private partial void LogStatus(Guid deal, string peer, string answer);

    [LoggerMessage(Level = LogLevel.Debug, Message = "query for payload {Payload} (piece {Piece}) from {Peer}: {Status}")]
    private partial void LogQuery(string payload, string piece, string peer, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Protocol} from {Peer}: unreadable request ({Error}): {Reason}")]
    private partial void LogBadRequest(string protocol, string peer, string error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Protocol} from {Peer}: the provider failed: {Reason}")]
    private partial void LogProviderError(string protocol, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Protocol} to {Peer}: the response was not written within {Seconds} s; stream reset")]
    private partial void LogWriteTimeout(string protocol, string peer, double seconds);
}
