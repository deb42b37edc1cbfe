using Microsoft.Extensions.Logging;

namespace Granary.Grains.Deals;

// Log messages of DealPublisherGrain.
public sealed partial class DealPublisherGrain
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "miner {Miner}: deal {Deal} queued for publishing ({Count} queued)")]
    private partial void LogQueued(string miner, Guid deal, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner}: PublishStorageDeals {Message} pushed with {Count} deals")]
    private partial void LogPushed(string miner, string message, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner}: PublishStorageDeals {Message} landed at epoch {Height}: {Published} published, {Failed} not")]
    private partial void LogLanded(string miner, string message, long height, int published, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: pushing PublishStorageDeals with {Count} deals failed (attempt {Attempt}); retrying in {Seconds} s: {Reason}")]
    private partial void LogPushFailed(string miner, int count, int attempt, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: PublishStorageDeals {Message} with {Count} deals was dropped by the node; pushing it again")]
    private partial void LogDropped(string miner, string message, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: deal {Deal} is not published: {Reason}")]
    private partial void LogNotPublished(string miner, Guid deal, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: checking {What} failed; trying again later: {Reason}")]
    private partial void LogCheckFailed(string miner, string what, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: telling deal {Deal} its publish outcome failed (it asks again when it resumes): {Reason}")]
    private partial void LogTellFailed(string miner, Guid deal, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: the provider's market escrow ({Available} available) does not cover the batch's provider collateral ({Required}); the deals wait: add funds to the miner's market escrow")]
    private partial void LogProviderCollateral(string miner, string available, string required);

    [LoggerMessage(Level = LogLevel.Error, Message = "miner {Miner}: the deal publisher's tick failed; retrying: {Reason}")]
    private partial void LogTickFailed(string miner, string reason);
}
