using System.Diagnostics;
using System.Text;
using Granary.Silo.Backup;
using Granary.Silo.Tests.Support;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit.Abstractions;

namespace Granary.Silo.Tests;

/// <summary>
/// <see cref="BackupRestore"/> in process on real SQLite and PostgreSQL: a backup with a large block index restores every
/// row into either database (timed), and a restore that fails part way — a file that passes the checksum but whose chain
/// chunks are out of order — rolls back and removes the new repo, leaving the database empty for the next attempt.
/// </summary>
public sealed class BackupRestoreTests(ITestOutputHelper output)
{
    private const int Blocks = 100_000;
    private const int States = 2_000;
    private static readonly DateTime When = new(2026, 12, 1, 20, 0, 0, DateTimeKind.Utc);

    private static string Write(string path, IReadOnlyList<BackupRecord> records)
    {
        using var writer = BackupWriter.Create(path, new BackupHeader(BackupKind.Full, "t01000", When, "granary", records.Count,
            records.GroupBy(r => r.Category).ToDictionary(g => g.Key, g => g.Sum(r => r.Items), StringComparer.Ordinal)));
        foreach (var record in records)
        {
            writer.Write(record);
        }

        writer.Complete();
        return path;
    }

    private static List<BackupRecord> Large(string config)
    {
        var records = new List<BackupRecord> { new RepoFileRecord("config.toml", 0x1A4, Encoding.UTF8.GetBytes(config)) };
        for (var i = 0; i < States; i++)
        {
            records.Add(new GrainStateRecord(i % 2 == 0 ? "sector" : "deal", i, i, 0, 7, "", Encoding.UTF8.GetBytes($"{{\"state\":{i},\"pad\":\"{new string('x', 400)}\"}}"), When, 1));
        }

        for (var at = 0; at < Blocks; at += BlockRowsRecord.MaxRows)
        {
            records.Add(new BlockRowsRecord([.. Enumerable.Range(at, Math.Min(BlockRowsRecord.MaxRows, Blocks - at))
                .Select(i => new BlockRow($"baga6ea4seaqpiece{i % 50}", [0x12, 0x20, .. BitConverter.GetBytes(i), .. new byte[28]], 0x71, i * 1000L, 1000))]));
        }

        return records;
    }

    [Fact]
    public async Task A_large_block_index_restores_every_row_into_SQLite_and_PostgreSQL()
    {
        using var dir = new TempDirectory();
        var database = await PostgresServer.CreateDatabaseAsync();
        foreach (var (name, db) in new[] { ("sqlite", "sqlite:granary.db"), ("postgresql", database) })
        {
            var file = Write(Path.Combine(dir.Path, $"{name}.cbor"), Large(TestConfig.OnFreePorts(db).Text));
            var watch = Stopwatch.StartNew();
            await BackupReader.VerifyAsync(file);
            var verify = watch.Elapsed;
            var repo = Path.Combine(dir.Path, name);
            var result = await BackupRestore.RestoreAsync(file, repo, null);
            output.WriteLine($"{name}: {new FileInfo(file).Length} bytes; verify {verify.TotalSeconds:0.00} s; restore {(watch.Elapsed - verify).TotalSeconds:0.00} s "
                + $"({result.Rows} rows)");
            Assert.Equal(States + Blocks, result.Rows);
            await using System.Data.Common.DbConnection connection = name == "sqlite"
                ? new SqliteConnection($"Data Source={Path.Combine(repo, "granary.db")};Pooling=False")
                : new NpgsqlConnection(database);
            await connection.OpenAsync();
            Assert.Equal(States, await CountAsync(connection, "SELECT COUNT(*) FROM OrleansStorage WHERE ServiceId = 'granary'"));
            Assert.Equal(Blocks, await CountAsync(connection, "SELECT COUNT(*) FROM GranaryPieceBlocks"));
            Assert.Equal(Blocks / 50, await CountAsync(connection, "SELECT COUNT(*) FROM GranaryPieceBlocks WHERE PieceCid = 'baga6ea4seaqpiece7'"));
        }
    }

    [Fact]
    public async Task A_restore_failing_part_way_rolls_back_and_removes_the_new_repo()
    {
        using var dir = new TempDirectory();
        var database = await PostgresServer.CreateDatabaseAsync();
        var records = Large(TestConfig.OnFreePorts(database).Text).Take(50).ToList();
        records.Add(new ChainChunkRecord(0, [1, 2, 3]));
        records.Add(new ChainChunkRecord(7, [4]));
        var file = Write(Path.Combine(dir.Path, "bad-chain.cbor"), records);
        await BackupReader.VerifyAsync(file);

        var repo = Path.Combine(dir.Path, "repo");
        var e = await Assert.ThrowsAsync<BackupFormatException>(() => BackupRestore.RestoreAsync(file, repo, null));
        Assert.EndsWith("chain chunk at 7 where 3 was expected", e.Message);
        Assert.False(Directory.Exists(repo));
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            Assert.Equal(0, await CountAsync(connection, "SELECT COUNT(*) FROM OrleansStorage"));
        }

        // The database is still new: a good file restores into it.
        records.RemoveAt(records.Count - 1);
        var good = Write(Path.Combine(dir.Path, "good.cbor"), records);
        var result = await BackupRestore.RestoreAsync(good, repo, null);
        Assert.Equal(49, result.Rows);
        Assert.Equal(new byte[] { 1, 2, 3 }, await File.ReadAllBytesAsync(Path.Combine(repo, "devnet.db")));
    }

    private static async Task<long> CountAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
