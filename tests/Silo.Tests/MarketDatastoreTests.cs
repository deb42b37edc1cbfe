using System.Text;
using Granary.Silo.Backup;
using Granary.Silo.Tests.Support;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Granary.Silo.Tests;

/// <summary>
/// <c>granary market export-datastore</c> and <c>import-datastore</c> as processes on real databases: deal metadata of a
/// markets repo (SQLite) is exported — deals, asks, piece directory, block index, deal reminders, nothing else — and
/// merged into the miner's repo (PostgreSQL): new rows added, changed ones replaced, the miner's sectors untouched;
/// importing again changes nothing. Another miner's file, a corrupt file and a running silo are refused with nothing
/// changed. The repos are made with <c>granary init restore</c> from backups written here.
/// </summary>
public sealed class MarketDatastoreTests
{
    private static readonly DateTime When = new(2026, 12, 1, 20, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Deal_metadata_moves_from_the_markets_repo_into_the_miner_repo_once_and_only_for_the_same_miner()
    {
        using var dir = new TempDirectory();
        // The markets side: three deals (one changed since the split), the ask, a piece, 5000 block rows, a deal reminder.
        var markets = await RestoreAsync(dir, "markets", "t01000", deals: ["a", "b2", "c"], blocks: 5000, sqlite: true);
        // The miner side, on PostgreSQL: its sectors, and deal "b" as it was before the split.
        var database = await PostgresServer.CreateDatabaseAsync();
        var minerRepo = await RestoreAsync(dir, "miner", "t01000", deals: ["b"], blocks: 0, sqlite: false, database: database);
        var other = await RestoreAsync(dir, "other", "t01001", deals: [], blocks: 0, sqlite: true);

        var exports = Path.Combine(dir.Path, "exports");
        Directory.CreateDirectory(exports);
        var exported = (await RepoCli.RunAsync(markets, "market", "export-datastore", "--backup-dir", exports)).Trim().Split('\n')[^1].Trim();
        Assert.Matches(@"/markets-\d{8}-\d{6}\.cbor$", exported);
        var header = await BackupReader.VerifyAsync(exported);
        Assert.Equal((BackupKind.Markets, "t01000"), (header.Kind, header.Miner));
        Assert.Equal(new Dictionary<string, long> { ["asks"] = 1, ["blocks"] = 5000, ["deals"] = 3, ["pieces"] = 1, ["reminders"] = 1 },
            header.Counts.Where(c => c.Value > 0).ToDictionary(c => c.Key, c => c.Value));

        var before = await PostgresRowsAsync(database);
        var otherBefore = await SqliteRowsAsync(Path.Combine(other, "granary.db"));

        // Another miner's file, a corrupt file: refused, nothing changed.
        var (otherCode, otherOutput) = await GranaryProcess.RunAsync(["market", "import-datastore", "--backup-path", exported, "--repo", other]);
        Assert.Equal((1, $"granary: {exported} holds deal metadata of miner t01000; this repo is miner t01001: refusing to import"), (otherCode, otherOutput.Trim()));
        Assert.Equal(otherBefore, await SqliteRowsAsync(Path.Combine(other, "granary.db")));
        var corrupt = Path.Combine(dir.Path, "corrupt.cbor");
        var bytes = await File.ReadAllBytesAsync(exported);
        bytes[^40] ^= 0x10;
        await File.WriteAllBytesAsync(corrupt, bytes);
        var (corruptCode, corruptOutput) = await GranaryProcess.RunAsync(["market", "import-datastore", "--backup-path", corrupt, "--repo", minerRepo]);
        Assert.Equal(1, corruptCode);
        Assert.Contains("checksum mismatch", corruptOutput);
        var empty = Path.Combine(dir.Path, "empty.cbor");
        await File.WriteAllBytesAsync(empty, []);
        var (emptyCode, emptyOutput) = await GranaryProcess.RunAsync(["market", "import-datastore", "--backup-path", empty, "--repo", minerRepo]);
        Assert.Equal((1, $"granary: {empty} is empty, not a granary backup"), (emptyCode, emptyOutput.Trim()));
        Assert.Equal(before, await PostgresRowsAsync(database));

        // A running silo holds the repo lock: both commands refuse.
        await using (var held = new FileStream(Path.Combine(minerRepo, "repo.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var (lockedCode, locked) = await GranaryProcess.RunAsync(["market", "import-datastore", "--backup-path", exported, "--repo", minerRepo]);
            Assert.Equal(1, lockedCode);
            Assert.Contains("is running (it holds repo.lock); stop it first", locked);
        }

        Assert.Equal(before, await PostgresRowsAsync(database));

        var imported = (await RepoCli.RunAsync(minerRepo, "market", "import-datastore", "--backup-path", exported)).Trim();
        // a and c new, b replaced by b2; ask and piece replaced (they differ by miner side); 5000 blocks and the reminder new.
        Assert.Equal($"imported deal metadata of miner t01000 into {minerRepo}: 5003 added, 3 updated, 0 unchanged", imported);
        var after = await PostgresRowsAsync(database);
        var marketsRows = await SqliteRowsAsync(Path.Combine(markets, "granary.db"));
        string[] moved = ["state|deal|", "state|storage-ask|", "state|piece|", "block|", "reminder|deal/"];
        var movedRows = marketsRows.Where(r => moved.Any(m => r.Key.StartsWith(m, StringComparison.Ordinal))).ToList();
        Assert.Equal(5006, movedRows.Count);
        foreach (var (key, row) in movedRows)
        {
            Assert.Equal(Data(row), Data(after[key]));
        }

        // The miner's own rows are untouched, and nothing else of the markets repo came along.
        Assert.All(before.Where(r => !moved.Any(m => r.Key.StartsWith(m, StringComparison.Ordinal))), r => Assert.Equal(r.Value, after[r.Key]));
        Assert.Equal(before.Keys.Union(movedRows.Select(r => r.Key)).Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));

        // Again: nothing changes.
        var again = (await RepoCli.RunAsync(minerRepo, "market", "import-datastore", "--backup-path", exported)).Trim();
        Assert.Equal($"imported deal metadata of miner t01000 into {minerRepo}: 0 added, 0 updated, 5006 unchanged", again);
        Assert.Equal(after, await PostgresRowsAsync(database));

        // A full backup of another miner is refused by import too, and a markets export cannot be restored as a repo.
        var (fullCode, fullOutput) = await GranaryProcess.RunAsync(["market", "import-datastore", "--backup-path", Path.Combine(dir.Path, "other.cbor"), "--repo", minerRepo]);
        Assert.Equal(1, fullCode);
        Assert.Contains("holds deal metadata of miner t01001; this repo is miner t01000: refusing to import", fullOutput);
        Assert.Equal(after, await PostgresRowsAsync(database));
        var (restoreCode, restoreOutput) = await GranaryProcess.RunAsync(["init", "restore", exported, "--repo", Path.Combine(dir.Path, "nope")]);
        Assert.Equal((1, $"granary: {exported} is a markets export (deal metadata only); merge it into a miner repo with `granary market import-datastore`"),
            (restoreCode, restoreOutput.Trim()));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "nope")));
    }

    private static string Data(string row) => row[..row.LastIndexOf('/')];

    // A repo made by `granary init restore` from a backup written here for MINER with the given deal payloads.
    private static async Task<string> RestoreAsync(TempDirectory dir, string name, string miner, string[] deals, int blocks, bool sqlite, string? database = null)
    {
        var config = TestConfig.OnFreePorts(sqlite ? "sqlite:granary.db" : database!);
        var records = new List<BackupRecord>
        {
            new RepoFileRecord("config.toml", 0x1A4, Encoding.UTF8.GetBytes(config.Text)),
            new RepoFileRecord("miner.json", 0x1A4, Encoding.UTF8.GetBytes($$"""
                {"Miner":"{{miner}}","RobustAddress":"t2abc","Owner":"t1owner","Worker":"t1worker","SectorSize":"2KiB","WindowPoStProofType":5,"CreateMessage":"bafy","Epoch":10,"Chain":"embedded"}
                """)),
            new RepoFileRecord("keystore/wallet-owner", 0x180, "owner key"u8.ToArray()),
            new GrainStateRecord("miner", 1, 0, 0, 11, "", Encoding.UTF8.GetBytes($"miner {miner} {name}"), When, 4),
            new GrainStateRecord("sector", 2, 0, 0, 12, "", Encoding.UTF8.GetBytes($"sector 0 of {name}"), When, 9),
            new GrainStateRecord("sector", 3, 0, 1, 12, "", Encoding.UTF8.GetBytes($"sector 1 of {name}"), When, 9),
            new GrainStateRecord("storage-ask", 4, 0, 0, 13, "", Encoding.UTF8.GetBytes($"ask of {name}"), When, 2),
            new GrainStateRecord("piece", 5, 7, 7, 14, "baga6ea4seaq", Encoding.UTF8.GetBytes($"piece of {name}"), When, 1),
            new ReminderRecord("sector/0", "watchdog", When, 60_000, 21, 0),
        };
        foreach (var deal in deals)
        {
            var id = deal[0] - 'a';
            records.Add(new GrainStateRecord("deal", 100 + id, id, id, 15, "", Encoding.UTF8.GetBytes($"deal {deal}"), When, 1));
        }

        if (deals.Length > 1)
        {
            records.Add(new ReminderRecord("deal/a", "resume", When, 60_000, 22, 0));
        }

        for (var at = 0; at < blocks; at += BlockRowsRecord.MaxRows)
        {
            records.Add(new BlockRowsRecord([.. Enumerable.Range(at, Math.Min(BlockRowsRecord.MaxRows, blocks - at))
                .Select(i => new BlockRow("baga6ea4seaq", BitConverter.GetBytes(i), 0x55, i * 100L, 100))]));
        }

        var file = Path.Combine(dir.Path, $"{name}.cbor");
        using (var writer = BackupWriter.Create(file, new BackupHeader(BackupKind.Full, miner, When, "granary", records.Count,
            records.GroupBy(r => r.Category).ToDictionary(g => g.Key, g => g.Sum(r => r.Items), StringComparer.Ordinal))))
        {
            records.ForEach(writer.Write);
            writer.Complete();
        }

        var repo = Path.Combine(dir.Path, name);
        await RepoCli.RunAsync(repo, "init", "restore", file);
        return repo;
    }

    private static async Task<Dictionary<string, string>> SqliteRowsAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        return await RowsAsync(connection);
    }

    private static async Task<Dictionary<string, string>> PostgresRowsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return await RowsAsync(connection);
    }

    // Every row of the three tables as key → data (with the version, so a rewrite of equal data would show).
    private static async Task<Dictionary<string, string>> RowsAsync(System.Data.Common.DbConnection connection)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var sql in new[]
        {
            "SELECT 'state|' || GrainTypeString || '|' || CAST(GrainIdN0 AS TEXT) || '|' || CAST(GrainIdN1 AS TEXT) || '|' || GrainIdExtensionString, PayloadBinary, Version FROM OrleansStorage",
            "SELECT 'reminder|' || GrainId || '|' || ReminderName, NULL, Period FROM OrleansRemindersTable",
            "SELECT 'block|' || PieceCid || '|' || CAST(BlockOffset AS TEXT), Multihash, BlockLength FROM GranaryPieceBlocks",
        })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var data = reader.IsDBNull(1) ? "" : Convert.ToHexString((byte[])reader.GetValue(1));
                result[reader.GetString(0)] = $"{data}/{reader.GetValue(2)}";
            }
        }

        return result;
    }
}
