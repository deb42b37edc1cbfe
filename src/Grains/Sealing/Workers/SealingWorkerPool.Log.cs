using Microsoft.Extensions.Logging;

namespace Granary.Grains.Sealing.Workers;

/// <summary>Source-generated log messages of the sealing worker pool (event ids 5100-5199).</summary>
public sealed partial class SealingWorkerPool
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Information, Message = "Sealing worker pool: {Cores} cores, {Memory} of memory, {GpuSlots} GPU slots")]
    private static partial void LogPoolStarted(ILogger logger, int cores, string memory, int gpuSlots);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "Sealing task {Id} queued: {Task}, claiming {Cores} cores, {Memory}, {GpuSlots} GPU slots")]
    private static partial void LogQueued(ILogger logger, Guid id, string task, int cores, string memory, int gpuSlots);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Sealing task {Id} started: {Task} after {Waited} queued")]
    private static partial void LogStarted(ILogger logger, Guid id, string task, TimeSpan? waited);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "Sealing task {Id} finished: {Task} in {Elapsed}")]
    private static partial void LogFinished(ILogger logger, Guid id, string task, TimeSpan elapsed);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "Sealing task {Id} failed: {Task} after {Elapsed}")]
    private static partial void LogFailed(ILogger logger, Exception error, Guid id, string task, TimeSpan elapsed);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Information, Message = "Sealing task {Id} cancelled {Where}: {Task}")]
    private static partial void LogCancelled(ILogger logger, Guid id, string task, string where);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Warning, Message = "Sealing task {Task} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string task, string reason);
}
