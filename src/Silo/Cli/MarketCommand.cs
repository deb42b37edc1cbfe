using System.CommandLine;
using System.Globalization;
using Granary.Silo.Backup;
using Granary.Silo.Configuration;
using Granary.Silo.Repo;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary market export-datastore --repo MARKETS_REPO --backup-dir DIR</c> and
/// <c>granary market import-datastore --repo MINER_REPO --backup-path FILE</c>, as lotus-miner's: move deal metadata
/// (deals, asks, piece directory, block index) from a stopped markets silo back into the stopped miner's repo when rolling
/// a split back to a monolith. Both read the repo's database directly under its lock.
/// </summary>
internal static class MarketCommand
{
    public static Command Create()
    {
        var command = new Command("market", "Deal metadata between repos: export from a markets repo, import into the miner repo");
        command.Subcommands.Add(Export());
        command.Subcommands.Add(Import());
        return command;
    }

    private static Command Export()
    {
        var dir = new Option<string>("--backup-dir") { Description = "Folder to write markets-TIME.cbor into", Required = true };
        var miner = new Option<string?>("--miner") { Description = "The miner address for the file's header when the markets repo has no miner.json" };
        var command = new Command("export-datastore", "Export deal metadata (deals, asks, piece directory, block index) of a stopped markets silo to DIR/markets-TIME.cbor")
        {
            dir, miner,
        };
        command.SetAction(async (r, ct) =>
        {
            var folder = Path.GetFullPath(r.GetValue(dir)!);
            if (!Directory.Exists(folder))
            {
                throw new CliError($"--backup-dir: {folder} does not exist", 2);
            }

            var repo = BackupCommand.OpenStopped(GranaryRepo.ResolvePath(r.GetValue(CliOptions.Repo)), out var repoLock);
            using (repoLock)
            {
                var address = r.GetValue(miner) ?? Chain.MinerFile.Read(repo.Root)?.Miner
                    ?? throw new CliError($"{repo.Root} has no miner.json; pass --miner ADDRESS (the miner whose deals these are)", 2);
                var config = ConfigLoader.Load(repo.ConfigPath);
                var path = Path.Combine(folder, $"markets-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.cbor");
                var result = await BackupCommand.Run(() => BackupSnapshot.WriteAsync(BackupKind.Markets, repo, config.Cluster.ServiceId,
                    BackupCommand.Target(config, repo.Root), path, address, ct));
                Console.Error.WriteLine($"exported deal metadata of miner {address} ({result.Header.DescribeCounts()}), {result.Bytes} bytes, sha256 {result.Sha256}");
                Console.WriteLine(result.Path);
            }
        });
        return command;
    }

    private static Command Import()
    {
        var file = new Option<string>("--backup-path") { Description = "The markets-TIME.cbor file (or a full backup, whose deal metadata is merged)", Required = true };
        var command = new Command("import-datastore", "Merge deal metadata from an export into this stopped miner repo's database; refuses another miner's file; importing twice changes nothing")
        {
            file,
        };
        command.SetAction(async (r, ct) =>
        {
            var path = Path.GetFullPath(r.GetValue(file)!);
            var repo = BackupCommand.OpenStopped(GranaryRepo.ResolvePath(r.GetValue(CliOptions.Repo)), out var repoLock);
            using (repoLock)
            {
                var result = await BackupCommand.Run(() => DatastoreImport.ImportAsync(path, repo, cancellationToken: ct));
                Console.WriteLine($"imported deal metadata of miner {result.Header.Miner} into {repo.Root}: {result.Added} added, {result.Updated} updated, "
                    + $"{result.Unchanged} unchanged");
            }
        });
        return command;
    }
}
