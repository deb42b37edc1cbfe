using Granary.Grains.Pieces;
using Granary.Silo.Chain;
using Granary.Silo.Configuration;
using Granary.Silo.Database;
using Granary.Silo.Repo;

namespace Granary.Silo.Backup;

/// <summary>
/// <c>granary init restore</c>: a new repo and a new database from a full backup. The file is verified whole first
/// (checksum, limits, every record); the repo must not exist (or be an empty folder) and the database must hold no
/// Granary rows, so a restore never overwrites anything. The rows go in one transaction; on any failure the new repo
/// is removed and the transaction rolled back.
/// </summary>
public static class BackupRestore
{
    /// <summary>Restores <paramref name="file"/> into the repo at <paramref name="repoPath"/>.</summary>
    /// <param name="configFile">The new repo's config.toml (its <c>[Cluster] Database</c> is the target); null: the backup's own.</param>
    /// <exception cref="BackupFormatException">The file is refused.</exception>
    /// <exception cref="BackupRefusedException">The repo or database is not new, or the file is not a full backup.</exception>
    public static async Task<RestoreResult> RestoreAsync(string file, string repoPath, string? configFile, BackupLimits? limits = null,
        CancellationToken cancellationToken = default)
    {
        var header = await BackupReader.VerifyAsync(file, limits, cancellationToken);
        if (header.Kind != BackupKind.Full)
        {
            throw new BackupRefusedException($"{file} is a markets export (deal metadata only); merge it into a miner repo with `granary market import-datastore`");
        }

        repoPath = Path.GetFullPath(repoPath);
        if (File.Exists(repoPath) || (Directory.Exists(repoPath) && Directory.EnumerateFileSystemEntries(repoPath).Any()))
        {
            throw new BackupRefusedException($"{repoPath} exists and is not empty; init restore creates a new repo (choose another --repo)");
        }

        var configText = configFile is not null ? File.ReadAllText(configFile) : await BackedUpConfigAsync(file, limits, cancellationToken);
        var config = ConfigLoader.Parse(configText, configFile ?? $"config.toml in {file}");
        DatabaseTarget target;
        try
        {
            target = DatabaseTarget.Resolve(config.Cluster.Database, repoPath);
        }
        catch (FormatException e)
        {
            throw new BackupRefusedException($"[Cluster] Database: {e.Message}", e);
        }

        var db = new BackupDatabase(target);
        var sqliteFile = db.IsSqlite ? new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(target.ConnectionString).DataSource : null;
        var sqliteExisted = sqliteFile is not null && File.Exists(sqliteFile);
        if (sqliteFile is null || sqliteExisted)
        {
            await RequireEmptyAsync(db, cancellationToken);
        }

        var createdRepo = !Directory.Exists(repoPath);
        Directory.CreateDirectory(repoPath);
        var devnetTemp = Path.Combine(repoPath, EmbeddedDevnet.DatabaseFileName + ".restore.tmp");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(repoPath, "config.toml"), configText, cancellationToken);
            var repo = GranaryRepo.Open(repoPath);
            using var repoLock = repo.Lock();
            await SchemaMigrator.ApplyAsync(target, cancellationToken);
            await db.EnsureBlockTableAsync(cancellationToken);

            var files = new List<RepoFileRecord>();
            long rows = 0;
            await using (var connection = await db.OpenAsync(cancellationToken))
            await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
            await using (var chain = new FileStream(devnetTemp, FileMode.Create, FileAccess.Write))
            {
                await foreach (var record in BackupReader.ReadAsync(file, limits, cancellationToken))
                {
                    switch (record)
                    {
                        case GrainStateRecord state:
                            await db.MergeAsync(connection, tx, config.Cluster.ServiceId, state, cancellationToken);
                            rows++;
                            break;
                        case ReminderRecord reminder:
                            await db.MergeAsync(connection, tx, config.Cluster.ServiceId, reminder, cancellationToken);
                            rows++;
                            break;
                        case BlockRowsRecord blocks:
                            await db.MergeAsync(connection, tx, blocks, cancellationToken);
                            rows += blocks.Rows.Count;
                            break;
                        case RepoFileRecord repoFile:
                            files.Add(repoFile);
                            break;
                        case ChainChunkRecord chunk:
                            if (chunk.Offset != chain.Position)
                            {
                                throw new BackupFormatException($"{file}: chain chunk at {chunk.Offset} where {chain.Position} was expected");
                            }

                            await chain.WriteAsync(chunk.Data, cancellationToken);
                            break;
                    }
                }

                await chain.FlushAsync(cancellationToken);
                chain.Flush(flushToDisk: true);
                await tx.CommitAsync(cancellationToken);
            }

            var written = WriteFiles(repo, files, keepConfig: true);
            if (new FileInfo(devnetTemp).Length > 0)
            {
                File.Move(devnetTemp, Path.Combine(repoPath, EmbeddedDevnet.DatabaseFileName));
            }
            else
            {
                File.Delete(devnetTemp);
            }

            return new RestoreResult(repoPath, header, target.Describe(), rows, written + 1);
        }
        catch
        {
            if (createdRepo)
            {
                TryDelete(repoPath);
            }
            else
            {
                File.Delete(devnetTemp);
            }

            if (sqliteFile is not null && !sqliteExisted)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var suffix in new[] { "", "-wal", "-shm" })
                {
                    if (File.Exists(sqliteFile + suffix))
                    {
                        File.Delete(sqliteFile + suffix);
                    }
                }
            }

            throw;
        }
    }

    /// <summary>Writes restored repo files: keystore files 0600 in a 0700 keystore, the rest as they were.</summary>
    /// <returns>How many were written.</returns>
    internal static int WriteFiles(GranaryRepo repo, IEnumerable<RepoFileRecord> files, bool keepConfig)
    {
        var count = 0;
        foreach (var file in files)
        {
            if (keepConfig && file.Path == "config.toml")
            {
                continue;
            }

            var target = Path.Combine(repo.Root, file.Path);
            if (file.Path.StartsWith(RepoFileRecord.KeystorePrefix, StringComparison.Ordinal))
            {
                if (!Directory.Exists(repo.KeystorePath))
                {
                    if (OperatingSystem.IsWindows())
                    {
                        Directory.CreateDirectory(repo.KeystorePath);
                    }
                    else
                    {
                        Directory.CreateDirectory(repo.KeystorePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                    }
                }

                SecretFile.Write(target, file.Contents);
            }
            else
            {
                var temp = $"{target}.{Environment.ProcessId}.tmp";
                using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
                {
                    stream.Write(file.Contents);
                    stream.Flush(flushToDisk: true);
                }

                if (!OperatingSystem.IsWindows())
                {
                    // Never more open than 0644 for files that were not secrets.
                    File.SetUnixFileMode(temp, (UnixFileMode)(file.Mode & 0x1A4) | UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                File.Move(temp, target, overwrite: true);
            }

            count++;
        }

        return count;
    }

    /// <summary>Refuses a database that holds any Granary rows (grain state, reminders, block index).</summary>
    internal static async Task RequireEmptyAsync(BackupDatabase db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        foreach (var table in new[] { "OrleansStorage", "OrleansRemindersTable", PieceBlockStore.Table })
        {
            var rows = await db.RowsAsync(connection, null, table, cancellationToken);
            if (rows > 0)
            {
                throw new BackupRefusedException($"the target database {db.Target.Describe()} is not empty ({table} has {rows} rows); init restore needs a new database");
            }
        }
    }

    private static async Task<string> BackedUpConfigAsync(string file, BackupLimits? limits, CancellationToken cancellationToken)
    {
        await foreach (var record in BackupReader.ReadAsync(file, limits, cancellationToken))
        {
            if (record is RepoFileRecord { Path: "config.toml" } config)
            {
                return System.Text.Encoding.UTF8.GetString(config.Contents);
            }
        }

        return DefaultConfigText.Text;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the error that got us here is what the operator needs to see.
        }
    }
}
