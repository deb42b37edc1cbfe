using Microsoft.Extensions.Logging;

namespace Granary.Grains.Sectors;

// Log messages of SectorGrain.
public sealed partial class SectorGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "sector {Sector}: started ({Size}) on {Silo}")]
    private partial void LogStarted(string sector, string size, string silo);

    [LoggerMessage(Level = LogLevel.Debug, Message = "sector {Sector}: -> {State} ({Note})")]
    private partial void LogTransition(string sector, SectorState state, string note);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sector {Sector}: {State} failed, retrying in {Seconds} s: {Error}")]
    private partial void LogFailed(string sector, SectorState state, double seconds, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sector {Sector}: restarting from its pieces on {Silo}: {Why}")]
    private partial void LogRestart(string sector, string silo, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "sector {Sector}: moving from {Silo} to {Holder}, which holds its scratch files")]
    private partial void LogMigrating(string sector, string silo, string holder);

    [LoggerMessage(Level = LogLevel.Error, Message = "sector {Sector}: persisting a transition in {State} failed; retrying later")]
    private partial void LogDriveFailed(Exception error, string sector, SectorState state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sector {Sector}: setting the watchdog reminder to {On} failed")]
    private partial void LogWatchdogFailed(Exception error, string sector, bool on);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sector {Sector}: telling deal {Deal} of a transition failed")]
    private partial void LogDealNoticeFailed(Exception error, string sector, Guid deal);
}
