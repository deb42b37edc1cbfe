using System.CommandLine;
using Granary.Silo.Backup;
using Granary.Silo.Repo;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary init restore FILE [--config FILE]</c>, as <c>lotus-miner init restore</c>: a new repo (<c>--repo</c>) and a
/// new database from a full backup. The database is the config's <c>[Cluster] Database</c> — the embedded SQLite default,
/// or a PostgreSQL cluster's — so moving a miner onto PostgreSQL is <c>granary backup</c> then this with a cluster config.
/// </summary>
internal static class InitRestoreCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The backup file (from `granary backup`)" };
        var config = new Option<string?>("--config")
        {
            Description = "config.toml for the new repo (its [Cluster] Database is where the state goes); default: the backed-up config.toml",
        };
        var command = new Command("restore", "Create a new repo and database from a backup: verifies the checksum first; refuses an existing repo or a non-empty database")
        {
            file, config,
        };
        command.SetAction(async (r, ct) =>
        {
            var path = Path.GetFullPath(r.GetValue(file)!);
            var configFile = r.GetValue(config) is { } c ? Path.GetFullPath(c) : null;
            if (configFile is not null && !File.Exists(configFile))
            {
                throw new CliError($"--config: {configFile} does not exist", 2);
            }

            var root = GranaryRepo.ResolvePath(r.GetValue(CliOptions.Repo));
            var result = await BackupCommand.Run(() => BackupRestore.RestoreAsync(path, root, configFile, cancellationToken: ct));
            Console.Error.WriteLine($"restored {path} ({result.Header.DescribeCounts()}) into {result.Database}");
            Console.WriteLine($"repo {result.Repo} restored: miner {BackupCommand.Miner(result.Header.Miner)}, {result.Rows} rows, {result.Files} files; start it with `granary run --repo {result.Repo}`");
        });
        return command;
    }
}
