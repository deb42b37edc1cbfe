using Microsoft.Extensions.Logging;

namespace Granary.Grains.Proving;

// Log messages of ProvingSchedulerGrain.
public sealed partial class ProvingSchedulerGrain
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: the proving watchdog reminder could not be registered ({Reason}); head changes still drive proving")]
    private partial void LogNoWatchdog(string miner, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: reading the chain head failed: {Reason}")]
    private partial void LogHeadUnreadable(string miner, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: acting on head {Height} failed: {Reason}")]
    private partial void LogHeadFailed(string miner, long height, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: deadline {Deadline} at epoch {Head}: {Reason}")]
    private partial void LogDeadlineFailed(string miner, ulong deadline, long head, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "miner {Miner}: won epoch {Epoch}; WinningPoSt of sector {Sector} computed and verified on silo {Silo} in {Seconds:0.###} s (not submitted: the devnet does not ask for it)")]
    private partial void LogWinning(string miner, long epoch, ulong sector, string silo, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: won epoch {Epoch} but the WinningPoSt failed: {Reason}")]
    private partial void LogWinningFailed(string miner, long epoch, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner}: the deadlines are still at head {Head} after {Seconds} s (a long proof); going on with the next head")]
    private partial void LogSlowStep(string miner, long head, double seconds);
}
