using Microsoft.Extensions.Logging;

namespace Granary.Grains.Miner;

// Log messages of MinerGrain.
public sealed partial class MinerGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner}: pushed {Method} as {Message} (worker nonce {Nonce})")]
    private partial void LogPushed(string miner, string method, string message, ulong nonce);

    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner}: {Method} message {Message} landed at epoch {Height} with exit code {ExitCode}")]
    private partial void LogLanded(string miner, string method, string message, long height, long exitCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: {Method} message {Message} did not land within {Seconds} s; it stays pending")]
    private partial void LogTimedOut(string miner, string method, string message, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner {Miner}: {Method} message {Message} (nonce {Nonce}) is gone from the node (its next nonce is {Next}); forgetting it")]
    private partial void LogDropped(string miner, string method, string message, ulong nonce, ulong next);

    [LoggerMessage(Level = LogLevel.Warning, Message = "checking pending message {Message} failed: {Reason}")]
    private partial void LogCheckFailed(string message, string reason);
}
