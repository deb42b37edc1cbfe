using System.CommandLine;
using Granary.Silo.Api;
using Granary.Silo.Backup;
using Granary.Silo.Configuration;
using Granary.Silo.Database;
using Granary.Silo.Repo;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary backup FILE</c> (online, as <c>lotus-miner backup</c>: the running silo writes the file through the admin
/// method <c>Filecoin.CreateBackup</c>) and <c>granary backup --offline FILE</c> (the silo is stopped; the repo and its
/// database are read directly, under the repo lock). Either way one consistent snapshot of every table.
/// </summary>
internal static class BackupCommand
{
    /// <summary>How long an online backup may take before the CLI stops waiting.</summary>
    public static readonly TimeSpan OnlineTimeout = TimeSpan.FromHours(2);

    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The backup file to write (must not exist); online, on the silo's machine" };
        var offline = new Option<bool>("--offline")
        {
            Description = "Read the stopped silo's repo and database directly (refused while the silo runs)",
        };
        var verify = new Option<bool>("--verify")
        {
            Description = "Check an existing backup file instead (checksum, every record, the limits) and print its header; changes nothing",
        };
        var command = new Command("backup", "Write a backup of the miner: keys, miner, sectors, deals, asks, piece directory, storage paths, every grain state (one CBOR file with a SHA-256)")
        {
            file, offline, verify,
        };
        command.SetAction(async (r, ct) =>
        {
            var path = Path.GetFullPath(r.GetValue(file)!);
            if (r.GetValue(verify))
            {
                var header = await Run(() => BackupReader.VerifyAsync(path, cancellationToken: ct));
                Console.WriteLine($"{path}: {BackupHeader.KindName(header.Kind)} backup of miner {Miner(header.Miner)}, created {header.Created.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z, "
                    + $"{header.Records} records ({header.DescribeCounts()}), checksum OK");
                return;
            }

            if (File.Exists(path))
            {
                throw new CliError($"{path} exists; a backup never overwrites a file (choose a new name)", 2);
            }

            if (r.GetValue(offline))
            {
                var repo = OpenStopped(GranaryRepo.ResolvePath(r.GetValue(CliOptions.Repo)), out var repoLock);
                using (repoLock)
                {
                    var config = ConfigLoader.Load(repo.ConfigPath);
                    var result = await Run(() => BackupSnapshot.WriteAsync(BackupKind.Full, repo, config.Cluster.ServiceId,
                        Target(config, repo.Root), path, cancellationToken: ct));
                    Console.WriteLine($"backup {result.Path}: {BackupHeader.KindName(result.Header.Kind)} backup of miner {Miner(result.Header.Miner)} "
                        + $"({result.Header.DescribeCounts()}), {result.Bytes} bytes, sha256 {result.Sha256}");
                }

                return;
            }

            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)), "a stopped silo is backed up with --offline");
            var answer = await client.CallAsync("Filecoin.CreateBackup", [path], OnlineTimeout, ct);
            var counts = answer.GetProperty("Counts").EnumerateObject().Where(c => c.Value.GetInt64() > 0).OrderBy(c => c.Name, StringComparer.Ordinal)
                .Select(c => $"{c.Name} {c.Value.GetInt64()}");
            Console.WriteLine($"backup {answer.GetProperty("Path").GetString()}: {answer.GetProperty("Kind").GetString()} backup of miner "
                + $"{Miner(answer.GetProperty("Miner").GetString()!)} ({string.Join(", ", counts)}), {answer.GetProperty("Bytes").GetInt64()} bytes, "
                + $"sha256 {answer.GetProperty("Sha256").GetString()}");
        });
        return command;
    }

    /// <summary>Opens a repo whose silo is stopped, holding its lock.</summary>
    /// <exception cref="CliError">No repo there, or a silo holds it.</exception>
    internal static GranaryRepo OpenStopped(string root, out IDisposable repoLock)
    {
        GranaryRepo repo;
        try
        {
            repo = GranaryRepo.Open(root);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new CliError(e.Message);
        }

        try
        {
            repoLock = repo.Lock();
        }
        catch (IOException)
        {
            throw new CliError($"the silo of {repo.Root} is running (it holds repo.lock); stop it first, or back it up online with `granary backup FILE`");
        }

        return repo;
    }

    /// <summary>The repo's database.</summary>
    internal static DatabaseTarget Target(GranaryConfig config, string root)
    {
        try
        {
            return DatabaseTarget.Resolve(config.Cluster.Database, root);
        }
        catch (FormatException e)
        {
            throw new CliError($"[Cluster] Database: {e.Message}", 2);
        }
    }

    /// <summary>Runs a backup operation, reporting its refusals as one-line errors.</summary>
    internal static async Task<T> Run<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (Exception e) when (e is BackupFormatException or BackupRefusedException or InvalidOperationException)
        {
            throw new CliError(e.Message);
        }
    }

    internal static string Miner(string miner) => miner.Length == 0 ? "(none)" : miner;
}
