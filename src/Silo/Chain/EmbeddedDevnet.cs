using Granary.Chain;
using Granary.Chain.Devnet;
using Granary.Chain.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Chain;

/// <summary>
/// Opening a devnet on a file: the embedded default of <c>granary run</c> and <c>granary init</c> (the repo's
/// <c>devnet.db</c>) and the chain of <c>granary devnet run</c>. The policy is the devnet's with the configured
/// block delay; the chain keeps the block delay it was created with.
/// </summary>
public static class EmbeddedDevnet
{
    /// <summary>The devnet's file in a repo.</summary>
    public const string DatabaseFileName = "devnet.db";

    /// <summary>Opens (or creates) the devnet in <paramref name="databasePath"/>, mining every <paramref name="blockDelaySeconds"/>.</summary>
    /// <param name="databasePath">The SQLite file.</param>
    /// <param name="blockDelaySeconds">Seconds per epoch.</param>
    /// <param name="loggers">Logging, or null.</param>
    /// <param name="setting">The setting the block delay came from, named in the error when the file was made with another.</param>
    /// <exception cref="IOException">The file cannot be opened as this devnet; the message says why and what to do.</exception>
    public static DevnetNode Open(string databasePath, int blockDelaySeconds, ILoggerFactory? loggers, string setting)
    {
        try
        {
            return DevnetNode.Open(new DevnetOptions
            {
                DatabasePath = databasePath,
                Policy = ChainPolicy.Devnet with { BlockDelaySeconds = blockDelaySeconds },
                Clock = new TimerDevnetClock(loggers?.CreateLogger<TimerDevnetClock>()),
                LoggerFactory = loggers,
            });
        }
        catch (ChainException e)
        {
            var hint = e.Message.Contains("policy", StringComparison.Ordinal)
                ? $" (a devnet keeps the block delay it was created with: set {setting} back to it, or move {databasePath} away to start a new chain)"
                : "";
            throw new IOException($"cannot open the devnet {databasePath}: {e.Message}{hint}", e);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            throw new IOException($"cannot open the devnet {databasePath}: {e.Message}", e);
        }
    }
}
