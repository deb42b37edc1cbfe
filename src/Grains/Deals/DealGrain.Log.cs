using Microsoft.Extensions.Logging;

namespace Granary.Grains.Deals;

// Log messages of DealGrain.
public sealed partial class DealGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "deal {Deal}: accepted from client {Client}, piece {Piece} ({Size} bytes), received by {Gateway}")]
    private partial void LogAccepted(Guid deal, string client, string piece, long size, string gateway);

    [LoggerMessage(Level = LogLevel.Information, Message = "deal {Deal}: refused ({Reason}), received by {Gateway}")]
    private partial void LogRefused(Guid deal, string reason, string gateway);

    [LoggerMessage(Level = LogLevel.Warning, Message = "deal {Deal}: failed: {Error}")]
    private partial void LogFailed(Guid deal, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "deal {Deal}: accepted, but the transfer stage is not wired in this silo (no IDealTransferStage); the deal stays at Accepted")]
    private partial void LogTransferNotWired(Guid deal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "deal {Deal}: accepted, but starting its transfer failed: {Reason}")]
    private partial void LogTransferStartFailed(Guid deal, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "deal {Deal}: accepted offline deal; waiting for `granary storage-deals import-data {Deal} FILE`")]
    private partial void LogWaitingForImport(Guid deal);

    [LoggerMessage(Level = LogLevel.Debug, Message = "deal {Deal}: the transfer resume reminder could not be changed: {Reason}")]
    private partial void LogResumeReminderFailed(Guid deal, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "deal {Deal}: the step after {Checkpoint} failed (attempt {Attempt}); retrying in {Seconds} s: {Reason}")]
    private partial void LogStepRetry(Guid deal, DealCheckpoint checkpoint, int attempt, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "deal {Deal}: piece indexed ({Blocks} blocks)")]
    private partial void LogIndexed(Guid deal, long blocks);

    [LoggerMessage(Level = LogLevel.Information, Message = "deal {Deal}: staging released: {Note}")]
    private partial void LogStagingReleased(Guid deal, string note);

    [LoggerMessage(Level = LogLevel.Debug, Message = "deal {Deal}: sector {Sector} is {State}")]
    private partial void LogSectorChanged(Guid deal, ulong sector, string state);
}
