using System.CommandLine;
using Granary.Silo.Configuration;
using Granary.Silo.Database;
using Granary.Silo.Repo;

namespace Granary.Silo.Cli;

/// <summary><c>granary db migrate</c>: apply the schema (also done at every start).</summary>
internal static class DbCommand
{
    public static Command Create()
    {
        var database = new Option<string?>("--database")
        {
            Description = "Database to migrate (sqlite:PATH or a PostgreSQL connection string); default: the repo config's [Cluster] Database",
        };
        var migrate = new Command("migrate", "Create or update Granary's tables and Orleans queries (idempotent)") { database };
        migrate.SetAction(async (r, ct) =>
        {
            var root = GranaryRepo.ResolvePath(r.GetValue(CliOptions.Repo));
            var value = r.GetValue(database) ?? ConfigLoader.Load(Path.Combine(root, "config.toml")).Cluster.Database;
            var target = ParseTarget(value, root);
            var result = await SchemaMigrator.ApplyAsync(target, ct);
            Console.WriteLine($"{target.Describe()}: schema version {result.SchemaVersion}, {result.QueryCount} Orleans queries installed");
        });

        var command = new Command("db", "Cluster database maintenance");
        command.Subcommands.Add(migrate);
        return command;
    }

    private static DatabaseTarget ParseTarget(string value, string root)
    {
        try
        {
            return DatabaseTarget.Resolve(value, root);
        }
        catch (FormatException e)
        {
            throw new CliError($"--database: {e.Message}", 2);
        }
    }
}
