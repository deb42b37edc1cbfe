using System.CommandLine;
using Granary.Silo.Api;
using Granary.Silo.Configuration;
using Granary.Silo.Database;
using Granary.Silo.Hosting;
using Granary.Silo.Repo;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Granary.Silo.Cli;

/// <summary><c>granary run</c>: start one silo from the repo's config.toml, creating the repo on first use.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "Start a silo from REPO/config.toml (creates the repo with the embedded default if absent). Ctrl-C or SIGTERM stops it cleanly.");
        command.SetAction(async r =>
        {
            var repo = GranaryRepo.OpenOrCreate(GranaryRepo.ResolvePath(r.GetValue(CliOptions.Repo)), out var created);
            if (created)
            {
                Console.Error.WriteLine($"created repo {repo.Root} with the embedded default (monolith, SQLite)");
            }

            using var repoLock = repo.Lock();
            var config = ConfigLoader.Load(repo.ConfigPath);
            var database = DatabaseTarget.Resolve(config.Cluster.Database, repo.Root);
            await SchemaMigrator.ApplyAsync(database);

            var siloName = $"{Environment.MachineName}-{config.Cluster.SiloPort}";
            await using var app = SiloApplication.Build(new SiloIdentity(repo, config, database, siloName));
            await app.StartAsync();
            var token = app.Services.GetRequiredService<ApiToken>().Issue(Permissions.All);
            repo.WriteApiInfo(config.Api.Endpoint.ToMultiaddr(), token);
            Console.Error.WriteLine($"granary silo {siloName} running: subsystems {config.Subsystems.ToSet()}, "
                + $"API {config.Api.ListenAddress}, admin http://{config.Dashboard.ListenAddress}/healthz, database {database.Describe()}");
            try
            {
                await app.WaitForShutdownAsync();
            }
            finally
            {
                repo.ClearApiInfo();
            }

            Console.Error.WriteLine($"granary silo {siloName} stopped");
        });
        return command;
    }
}
