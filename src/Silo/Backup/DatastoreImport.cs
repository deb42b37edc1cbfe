using Granary.Silo.Chain;
using Granary.Silo.Configuration;
using Granary.Silo.Database;
using Granary.Silo.Repo;

namespace Granary.Silo.Backup;

/// <summary>
/// <c>granary market import-datastore</c>: merges deal metadata (deals, asks, piece directory, block index, deal
/// reminders) from a markets export — or the same part of a full backup — into a stopped miner repo's database, in
/// one transaction. A file of another miner is refused; a row already equal is left alone, so importing the same file
/// twice changes nothing the second time.
/// </summary>
public static class DatastoreImport
{
    /// <summary>Imports <paramref name="file"/> into <paramref name="repo"/> (whose lock the caller holds).</summary>
    /// <exception cref="BackupFormatException">The file is refused.</exception>
    /// <exception cref="BackupRefusedException">The repo is not a miner's, or the file is another miner's.</exception>
    public static async Task<ImportResult> ImportAsync(string file, GranaryRepo repo, BackupLimits? limits = null, CancellationToken cancellationToken = default)
    {
        var header = await BackupReader.VerifyAsync(file, limits, cancellationToken);
        var miner = MinerFile.Read(repo.Root)?.Miner
            ?? throw new BackupRefusedException($"{repo.Root} has no miner.json, so it is not a miner's repo; import-datastore merges into the miner's repo");
        if (header.Miner != miner)
        {
            throw new BackupRefusedException($"{file} holds deal metadata of miner {(header.Miner.Length == 0 ? "(none)" : header.Miner)}; this repo is miner {miner}: refusing to import");
        }

        var config = ConfigLoader.Load(repo.ConfigPath);
        var target = DatabaseTarget.Resolve(config.Cluster.Database, repo.Root);
        await SchemaMigrator.ApplyAsync(target, cancellationToken);
        var db = new BackupDatabase(target);
        await db.EnsureBlockTableAsync(cancellationToken);

        long added = 0, updated = 0, unchanged = 0;
        void Tally(MergeResult result)
        {
            switch (result)
            {
                case MergeResult.Added: added++; break;
                case MergeResult.Updated: updated++; break;
                default: unchanged++; break;
            }
        }

        await using var connection = await db.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await foreach (var record in BackupReader.ReadAsync(file, limits, cancellationToken))
        {
            switch (record)
            {
                case GrainStateRecord state when BackupCategories.Markets.Contains(state.Category):
                    Tally(await db.MergeAsync(connection, tx, config.Cluster.ServiceId, state, cancellationToken));
                    break;
                case ReminderRecord reminder when BackupCategories.IsMarketsReminder(reminder.GrainId):
                    Tally(await db.MergeAsync(connection, tx, config.Cluster.ServiceId, reminder, cancellationToken));
                    break;
                case BlockRowsRecord blocks:
                    var fresh = await db.MergeAsync(connection, tx, blocks, cancellationToken);
                    added += fresh;
                    unchanged += blocks.Rows.Count - fresh;
                    break;
            }
        }

        await tx.CommitAsync(cancellationToken);
        return new ImportResult(header, added, updated, unchanged);
    }
}
