using System.CommandLine;

namespace Granary.Silo.Cli;

/// <summary>The <c>granary</c> command tree. Each verb lives in its own <c>*Command</c> file.</summary>
public static class GranaryCli
{
    /// <summary>Builds the root command with every verb attached.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("granary: a Filecoin storage provider built as one Orleans cluster.");
        root.Options.Add(CliOptions.Repo);
        root.Options.Add(ApiTarget.CallOnMarkets);
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(ConfigCommand.Create());
        root.Subcommands.Add(AuthCommand.Create());
        root.Subcommands.Add(DbCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(CommpCommand.Create());
        root.Subcommands.Add(NetCommand.Create());
        root.Subcommands.Add(Sealing.SealingCommand.Create());
        root.Subcommands.Add(StorageCommand.Create());
        root.Subcommands.Add(SectorsCommand.Create());
        root.Subcommands.Add(InitCommand.Create());
        root.Subcommands.Add(ActorCommand.Create());
        root.Subcommands.Add(ProvingCommand.Create());
        root.Subcommands.Add(DevnetCommand.Create());
        root.Subcommands.Add(StorageDealsCommand.Create());
        root.Subcommands.Add(ClientCommand.Create());
        root.Subcommands.Add(BackupCommand.Create());
        root.Subcommands.Add(MarketCommand.Create());
        root.Subcommands.Add(PiecesCommand.Create());
        return root;
    }

    /// <summary>Runs the CLI; failures print one line to stderr instead of a stack trace.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            // Signals are left to the host's console lifetime, which stops the silo gracefully.
            var parse = Build().Parse(args);
            ApiTarget.Choose(parse);
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            });
        }
        catch (CliError e)
        {
            await Console.Error.WriteLineAsync($"granary: {e.Message}");
            return e.ExitCode;
        }
        catch (Configuration.ConfigException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException)
        {
            await Console.Error.WriteLineAsync($"granary: {e.Message}");
            return 1;
        }
    }
}
