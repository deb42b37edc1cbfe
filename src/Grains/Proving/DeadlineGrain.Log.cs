using Microsoft.Extensions.Logging;

namespace Granary.Grains.Proving;

// Log messages of DeadlineGrain.
public sealed partial class DeadlineGrain
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner} deadline {Deadline}: the step at epoch {Head} failed: {Reason}; the next head tries again")]
    private partial void LogStepFailed(string miner, ulong deadline, long head, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner} deadline {Deadline}: sector {Sector} not checked on silo {Silo}: {Reason}")]
    private partial void LogNotChecked(string miner, ulong deadline, ulong sector, string silo, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner} deadline {Deadline}: sending {Method} for {Sectors} (fault cutoff {Cutoff})")]
    private partial void LogDeclaring(string miner, ulong deadline, string method, string sectors, long cutoff);

    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner} deadline {Deadline}: {Method} {Message} landed at epoch {Height}")]
    private partial void LogDeclared(string miner, ulong deadline, string method, string message, long height);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner} deadline {Deadline}: {Method} {Message} has not landed yet; it stays pending")]
    private partial void LogMessagePending(string miner, ulong deadline, string method, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner} deadline {Deadline}: {Method} failed: {Reason}")]
    private partial void LogMessageFailed(string miner, ulong deadline, string method, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner} deadline {Deadline}: not known whether the WindowPoSt was sent ({Reason}); checking the chain at the next heads")]
    private partial void LogMessageUnknown(string miner, ulong deadline, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner} deadline {Deadline}: every partition with provable sectors is proven for the period starting at {PeriodStart} ({Count})")]
    private partial void LogProven(string miner, ulong deadline, long periodStart, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "miner {Miner} deadline {Deadline}: partition {Partition} failed {Failures} WindowPoSt attempts this period; not trying again until the next")]
    private partial void LogGaveUp(string miner, ulong deadline, ulong partition, int failures);

    [LoggerMessage(Level = LogLevel.Error, Message = "miner {Miner} deadline {Deadline}: the window closes at {Close} and proving finished at epoch {Head}: too late to send")]
    private partial void LogTooLate(string miner, ulong deadline, long close, long head);

    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner} deadline {Deadline}: sending the WindowPoSt of partitions {Partitions}: {Proven} sectors proven, {Skipped} skipped, by silo {Silo} in {Seconds:0.###} s")]
    private partial void LogSubmitting(string miner, ulong deadline, string partitions, int proven, int skipped, string silo, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner} deadline {Deadline}: WindowPoSt of partitions {Partitions} {Message} landed at epoch {Height}")]
    private partial void LogSubmitted(string miner, ulong deadline, string partitions, string message, long height);

    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner} deadline {Deadline}: partitions {Partitions} are proven on chain ({Message}); not sending again")]
    private partial void LogSeenOnChain(string miner, ulong deadline, string partitions, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner} deadline {Deadline}: the WindowPoSt of partitions {Partitions} recorded at epoch {Epoch} is neither on chain nor pending at epoch {Head}; proving them again")]
    private partial void LogPresumedLost(string miner, ulong deadline, string partitions, long epoch, long head);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner} deadline {Deadline}: saving the state failed: {Reason}")]
    private partial void LogSaveFailed(string miner, ulong deadline, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "miner {Miner}: telling sector {Sector}'s grain what proving found failed: {Reason}")]
    private partial void LogReportFailed(string miner, ulong sector, string reason);
}
