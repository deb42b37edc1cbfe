using Granary.Grains.Pieces;
using Granary.Silo.Chain;
using Granary.Silo.Database;
using Granary.Silo.Repo;
using Microsoft.Data.Sqlite;

namespace Granary.Silo.Backup;

/// <summary>
/// Writes a backup of a repo and its cluster database (<c>granary backup</c>, <c>Filecoin.CreateBackup</c>,
/// <c>granary market export-datastore</c>). Every table is read inside one snapshot, so a running silo's writes during
/// the backup are either wholly in it or wholly not. A <see cref="BackupKind.Full"/> backup holds the repo's
/// <c>config.toml</c>, <c>miner.json</c>, <c>storage.json</c> and keystore, every grain-state row and reminder of the
/// service, the piece block index and, on the embedded devnet, its chain database; a <see cref="BackupKind.Markets"/>
/// export holds the deal metadata only (deals, asks, piece directory, block index, deal reminders).
/// </summary>
public static class BackupSnapshot
{
    /// <summary>Backs up <paramref name="repo"/> and <paramref name="database"/> to <paramref name="path"/> (which must not exist).</summary>
    /// <param name="miner">The miner address for the header; null: the repo's <c>miner.json</c>, else empty.</param>
    /// <exception cref="IOException">The file exists, its folder is missing, or a repo file is unreadable.</exception>
    public static async Task<BackupResult> WriteAsync(BackupKind kind, GranaryRepo repo, string serviceId, DatabaseTarget database, string path,
        string? miner = null, CancellationToken cancellationToken = default)
    {
        path = Path.GetFullPath(path);
        if (File.Exists(path))
        {
            throw new IOException($"{path} exists; a backup never overwrites a file (choose a new name)");
        }

        miner ??= MinerFile.Read(repo.Root)?.Miner ?? "";
        var files = kind == BackupKind.Full ? RepoFiles(repo) : [];
        var chainCopy = path + ".chain.tmp";
        try
        {
            var chainBytes = kind == BackupKind.Full ? CopyChain(repo, chainCopy) : -1;
            var chainChunks = chainBytes <= 0 ? 0 : (chainBytes + ChainChunkRecord.ChunkBytes - 1) / ChainChunkRecord.ChunkBytes;
            var db = new BackupDatabase(database);
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var tx = await db.BeginSnapshotAsync(connection, cancellationToken);

            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            void Count(string category, long n)
            {
                if (n > 0)
                {
                    counts[category] = counts.GetValueOrDefault(category) + n;
                }
            }

            foreach (var file in files)
            {
                Count(file.Category, 1);
            }

            var hasStorage = await db.TableExistsAsync(connection, tx, "OrleansStorage", cancellationToken);
            long states = 0;
            if (hasStorage)
            {
                foreach (var (type, n) in await db.StateCountsAsync(connection, tx, serviceId, cancellationToken))
                {
                    if (Includes(kind, BackupCategories.OfState(type)))
                    {
                        Count(BackupCategories.OfState(type), n);
                        states += n;
                    }
                }
            }

            var reminders = await db.RowsAsync(connection, tx, "OrleansRemindersTable", cancellationToken,
                $"WHERE {BackupDatabase.ReminderFilter(kind == BackupKind.Markets)}", ("s", serviceId));
            Count(BackupCategories.Reminders, reminders);
            var hasBlocks = await db.TableExistsAsync(connection, tx, PieceBlockStore.Table, cancellationToken);
            var blocks = hasBlocks ? await db.RowsAsync(connection, tx, PieceBlockStore.Table, cancellationToken) : 0;
            Count(BackupCategories.Blocks, blocks);
            Count(BackupCategories.Chain, chainChunks);
            var records = files.Count + states + reminders + (blocks + BlockRowsRecord.MaxRows - 1) / BlockRowsRecord.MaxRows + chainChunks;
            var header = new BackupHeader(kind, miner, DateTimeOffset.UtcNow, serviceId, records, counts);

            using var writer = BackupWriter.Create(path, header);
            foreach (var file in files)
            {
                writer.Write(file);
            }

            if (hasStorage)
            {
                await foreach (var row in db.StatesAsync(connection, tx, serviceId, cancellationToken))
                {
                    if (Includes(kind, row.Category))
                    {
                        writer.Write(row);
                    }
                }
            }

            if (reminders > 0)
            {
                await foreach (var row in db.RemindersAsync(connection, tx, serviceId, kind == BackupKind.Markets, cancellationToken))
                {
                    writer.Write(row);
                }
            }

            if (blocks > 0)
            {
                var batch = new List<BlockRow>(BlockRowsRecord.MaxRows);
                await foreach (var row in db.BlocksAsync(connection, tx, cancellationToken))
                {
                    batch.Add(row);
                    if (batch.Count == BlockRowsRecord.MaxRows)
                    {
                        writer.Write(new BlockRowsRecord(batch));
                        batch = new List<BlockRow>(BlockRowsRecord.MaxRows);
                    }
                }

                if (batch.Count > 0)
                {
                    writer.Write(new BlockRowsRecord(batch));
                }
            }

            await tx.CommitAsync(cancellationToken);
            if (chainChunks > 0)
            {
                await using var chain = new FileStream(chainCopy, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                var buffer = new byte[ChainChunkRecord.ChunkBytes];
                for (long offset = 0; offset < chainBytes; offset += ChainChunkRecord.ChunkBytes)
                {
                    var n = (int)Math.Min(ChainChunkRecord.ChunkBytes, chainBytes - offset);
                    await chain.ReadExactlyAsync(buffer.AsMemory(0, n), cancellationToken);
                    writer.Write(new ChainChunkRecord(offset, buffer[..n]));
                }
            }

            var sum = writer.Complete();
            return new BackupResult(path, header, Convert.ToHexStringLower(sum), new FileInfo(path).Length);
        }
        finally
        {
            File.Delete(chainCopy);
        }
    }

    private static bool Includes(BackupKind kind, string category) => kind == BackupKind.Full || BackupCategories.Markets.Contains(category);

    /// <summary>The repo files a full backup carries: config, miner file, storage paths, every keystore file.</summary>
    internal static List<RepoFileRecord> RepoFiles(GranaryRepo repo)
    {
        var result = new List<RepoFileRecord>();
        foreach (var name in new[] { "config.toml", MinerFile.FileName, Grains.Storage.StorageConfigFile.FileName })
        {
            var file = Path.Combine(repo.Root, name);
            if (File.Exists(file))
            {
                result.Add(new RepoFileRecord(name, Mode(file), File.ReadAllBytes(file)));
            }
        }

        if (Directory.Exists(repo.KeystorePath))
        {
            foreach (var file in Directory.EnumerateFiles(repo.KeystorePath).Order(StringComparer.Ordinal))
            {
                var relative = RepoFileRecord.KeystorePrefix + Path.GetFileName(file);
                if (!file.EndsWith(".tmp", StringComparison.Ordinal) && RepoFileRecord.IsAllowed(relative))
                {
                    // SecretFile.Read refuses a key others can read, as the silo would.
                    result.Add(new RepoFileRecord(relative, Mode(file), SecretFile.Read(file)));
                }
            }
        }

        return result;
    }

    // The embedded devnet's database, copied consistently with SQLite's online backup (the silo may be writing it).
    private static long CopyChain(GranaryRepo repo, string copy)
    {
        var source = Path.Combine(repo.Root, EmbeddedDevnet.DatabaseFileName);
        if (!File.Exists(source))
        {
            return 0;
        }

        File.Delete(copy);
        using (var from = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString()))
        using (var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString()))
        {
            from.Open();
            to.Open();
            from.BackupDatabase(to);
            using var command = to.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = DELETE";
            command.ExecuteNonQuery();
        }

        return new FileInfo(copy).Length;
    }

    private static int Mode(string file) => OperatingSystem.IsWindows() ? 0x180 : (int)File.GetUnixFileMode(file) & 0x1FF;
}
