using Granary.Filecoin.Cids;
using Microsoft.Extensions.Logging;

namespace Granary.Chain.Devnet;

/// <summary>The devnet's log messages.</summary>
internal static partial class DevnetLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Devnet epoch failed")]
    public static partial void EpochFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Devnet {Network} created: genesis {Genesis}, faucet {Faucet}")]
    public static partial void Created(ILogger logger, string network, Cid genesis, string faucet);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Devnet {Network} reopened at height {Height} with {Pending} pending messages")]
    public static partial void Reopened(ILogger logger, string network, long height, int pending);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Mined epoch {Height}: {Messages} messages, miner {Miner}, {Milliseconds} ms")]
    public static partial void Mined(ILogger logger, long height, int messages, string miner, long milliseconds);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Dropped pending message {Cid}: {Reason}")]
    public static partial void Dropped(ILogger logger, Cid cid, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "ChainNotify subscriber fell behind and was dropped")]
    public static partial void SubscriberDropped(ILogger logger);
}
