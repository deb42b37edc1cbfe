using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Granary.Grains.Pieces;
using Granary.Silo.Database;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Granary.Silo.Backup;

/// <summary>
/// The backup's view of a cluster database: Orleans' grain-state and reminder tables and the piece block index, read
/// inside one snapshot (SQLite: one deferred read transaction on the WAL; PostgreSQL: REPEATABLE READ, READ ONLY) and
/// merged row by row (a row already equal is left alone, so importing twice changes nothing).
/// </summary>
internal sealed class BackupDatabase(DatabaseTarget target)
{
    private const string SqliteTime = "yyyy-MM-dd HH:mm:ss.fff";

    public bool IsSqlite => target.Kind == DatabaseKind.Sqlite;

    public DatabaseTarget Target => target;

    public DbConnection Connect() => IsSqlite ? new SqliteConnection(target.ConnectionString) : new NpgsqlConnection(target.ConnectionString);

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = Connect();
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A read transaction over one consistent snapshot of every table.</summary>
    public async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (connection is SqliteConnection sqlite)
        {
            // Deferred: no write lock; the snapshot is taken at the first read and held until the end.
            return sqlite.BeginTransaction(IsolationLevel.Serializable, deferred: true);
        }

        var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await ExecuteAsync(connection, tx, "SET TRANSACTION READ ONLY", cancellationToken);
        return tx;
    }

    /// <summary>Whether a table exists.</summary>
    public async Task<bool> TableExistsAsync(DbConnection connection, DbTransaction? tx, string table, CancellationToken cancellationToken)
    {
        var sql = IsSqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @t COLLATE NOCASE"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = lower(@t)";
        return await ScalarAsync(connection, tx, sql, cancellationToken, ("t", table)) > 0;
    }

    /// <summary>Rows of a table (0 when it does not exist).</summary>
    public async Task<long> RowsAsync(DbConnection connection, DbTransaction? tx, string table, CancellationToken cancellationToken, string where = "",
        params (string Name, object Value)[] parameters) =>
        await TableExistsAsync(connection, tx, table, cancellationToken)
            ? await ScalarAsync(connection, tx, $"SELECT COUNT(*) FROM {table} {where}", cancellationToken, parameters)
            : 0;

    /// <summary>Grain-state rows per state name, of one service.</summary>
    public async Task<Dictionary<string, long>> StateCountsAsync(DbConnection connection, DbTransaction tx, string serviceId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, tx,
            "SELECT GrainTypeString, COUNT(*) FROM OrleansStorage WHERE ServiceId = @s GROUP BY GrainTypeString", ("s", serviceId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            result[reader.GetString(0)] = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
        }

        return result;
    }

    /// <summary>The grain-state rows of one service, in key order.</summary>
    public async IAsyncEnumerable<GrainStateRecord> StatesAsync(DbConnection connection, DbTransaction tx, string serviceId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = Command(connection, tx,
            "SELECT GrainTypeString, GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainIdExtensionString, PayloadBinary, ModifiedOn, Version "
            + "FROM OrleansStorage WHERE ServiceId = @s ORDER BY GrainTypeString, GrainIdHash, GrainIdN0, GrainIdN1, GrainIdExtensionString", ("s", serviceId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new GrainStateRecord(reader.GetString(0), Int(reader, 1), Long(reader, 2), Long(reader, 3), Int(reader, 4),
                reader.IsDBNull(5) ? "" : reader.GetString(5), reader.IsDBNull(6) ? null : (byte[])reader.GetValue(6), Utc(reader, 7), Int(reader, 8));
        }
    }

    /// <summary>The reminders of one service, optionally only deal grains'.</summary>
    public async IAsyncEnumerable<ReminderRecord> RemindersAsync(DbConnection connection, DbTransaction tx, string serviceId, bool marketsOnly,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = Command(connection, tx,
            $"SELECT GrainId, ReminderName, StartTime, Period, GrainHash, Version FROM OrleansRemindersTable WHERE {ReminderFilter(marketsOnly)} "
            + "ORDER BY GrainId, ReminderName", ("s", serviceId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new ReminderRecord(reader.GetString(0), reader.GetString(1), Utc(reader, 2), Long(reader, 3), Int(reader, 4), Int(reader, 5));
        }
    }

    /// <summary>The WHERE clause of <see cref="RemindersAsync"/> (parameter <c>@s</c>).</summary>
    public static string ReminderFilter(bool marketsOnly) => marketsOnly ? "ServiceId = @s AND GrainId LIKE 'deal/%'" : "ServiceId = @s";

    /// <summary>The piece block index, in key order.</summary>
    public async IAsyncEnumerable<BlockRow> BlocksAsync(DbConnection connection, DbTransaction tx, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = Command(connection, tx,
            $"SELECT PieceCid, Multihash, Codec, BlockOffset, BlockLength FROM {PieceBlockStore.Table} ORDER BY PieceCid, Multihash");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new BlockRow(reader.GetString(0), (byte[])reader.GetValue(1), unchecked((ulong)Long(reader, 2)), Long(reader, 3), Long(reader, 4));
        }
    }

    /// <summary>Creates the piece block index table if it is missing (as the piece directory does on first use).</summary>
    public async Task EnsureBlockTableAsync(CancellationToken cancellationToken)
    {
        var store = new PieceBlockStore(Connect, IsSqlite ? PieceStoreDialect.Sqlite : PieceStoreDialect.PostgreSql);
        await store.CountAsync("", cancellationToken);
    }

    /// <summary>Adds a grain-state row, or replaces one whose payload differs (its version moves past the stored one).</summary>
    public async Task<MergeResult> MergeAsync(DbConnection connection, DbTransaction tx, string serviceId, GrainStateRecord row, CancellationToken cancellationToken)
    {
        const string key = "GrainIdHash = @h AND GrainTypeHash = @th AND GrainIdN0 = @n0 AND GrainIdN1 = @n1 AND GrainTypeString = @t "
            + "AND GrainIdExtensionString = @e AND ServiceId = @s";
        (string, object)[] keys = [("h", row.GrainIdHash), ("th", row.GrainTypeHash), ("n0", row.GrainIdN0), ("n1", row.GrainIdN1),
            ("t", row.GrainType), ("e", row.Extension), ("s", serviceId)];
        byte[]? existing = null;
        int? version = null;
        await using (var select = Command(connection, tx, $"SELECT PayloadBinary, Version FROM OrleansStorage WHERE {key}", keys))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                existing = reader.IsDBNull(0) ? null : (byte[])reader.GetValue(0);
                version = Int(reader, 1);
            }
        }

        if (version is { } current)
        {
            if (Same(existing, row.Payload))
            {
                return MergeResult.Unchanged;
            }

            await ExecuteAsync(connection, tx, $"UPDATE OrleansStorage SET PayloadBinary = @p, ModifiedOn = @m, Version = @v WHERE {key}", cancellationToken,
                [.. keys, ("p", (object?)row.Payload ?? DBNull.Value), ("m", Time(row.ModifiedOn)), ("v", Math.Max(current + 1, row.Version))]);
            return MergeResult.Updated;
        }

        await ExecuteAsync(connection, tx,
            "INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, "
            + "PayloadBinary, ModifiedOn, Version) VALUES (@h, @n0, @n1, @th, @t, @e, @s, @p, @m, @v)", cancellationToken,
            [.. keys, ("p", (object?)row.Payload ?? DBNull.Value), ("m", Time(row.ModifiedOn)), ("v", row.Version)]);
        return MergeResult.Added;
    }

    /// <summary>Adds a reminder, or replaces one that differs.</summary>
    public async Task<MergeResult> MergeAsync(DbConnection connection, DbTransaction tx, string serviceId, ReminderRecord row, CancellationToken cancellationToken)
    {
        const string key = "ServiceId = @s AND GrainId = @g AND ReminderName = @n";
        (string, object)[] keys = [("s", serviceId), ("g", row.GrainId), ("n", row.Name)];
        await using (var select = Command(connection, tx, $"SELECT StartTime, Period, GrainHash, Version FROM OrleansRemindersTable WHERE {key}", keys))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                var same = Math.Abs((Utc(reader, 0) - row.StartTime).Ticks) < 10 && Long(reader, 1) == row.Period && Int(reader, 2) == row.GrainHash;
                var version = Int(reader, 3);
                await reader.DisposeAsync();
                if (same)
                {
                    return MergeResult.Unchanged;
                }

                await ExecuteAsync(connection, tx, $"UPDATE OrleansRemindersTable SET StartTime = @st, Period = @p, GrainHash = @gh, Version = @v WHERE {key}",
                    cancellationToken, [.. keys, ("st", ReminderTime(row.StartTime)), ("p", row.Period), ("gh", row.GrainHash), ("v", version + 1)]);
                return MergeResult.Updated;
            }
        }

        await ExecuteAsync(connection, tx,
            "INSERT INTO OrleansRemindersTable (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version) VALUES (@s, @g, @n, @st, @p, @gh, @v)",
            cancellationToken, [.. keys, ("st", ReminderTime(row.StartTime)), ("p", row.Period), ("gh", row.GrainHash), ("v", row.Version)]);
        return MergeResult.Added;
    }

    /// <summary>Adds block rows; a (piece, multihash) already present keeps its row. Returns how many were new.</summary>
    public async Task<long> MergeAsync(DbConnection connection, DbTransaction tx, BlockRowsRecord record, CancellationToken cancellationToken)
    {
        const int perStatement = 200;
        long added = 0;
        if (IsSqlite)
        {
            // SQLite: one prepared single-row statement, rebound per row (many-parameter statements bind slowly there).
            await using var insert = Command(connection, tx,
                $"INSERT INTO {PieceBlockStore.Table} (PieceCid, Multihash, Codec, BlockOffset, BlockLength) VALUES (@p, @m, @c, @o, @l) "
                + "ON CONFLICT (PieceCid, Multihash) DO NOTHING", ("p", ""), ("m", Array.Empty<byte>()), ("c", 0L), ("o", 0L), ("l", 0L));
            await insert.PrepareAsync(cancellationToken);
            foreach (var row in record.Rows)
            {
                insert.Parameters[0].Value = row.PieceCid;
                insert.Parameters[1].Value = row.Multihash;
                insert.Parameters[2].Value = unchecked((long)row.Codec);
                insert.Parameters[3].Value = row.Offset;
                insert.Parameters[4].Value = row.Length;
                added += await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            return added;
        }

        for (var at = 0; at < record.Rows.Count; at += perStatement)
        {
            var rows = record.Rows.Skip(at).Take(perStatement).ToList();
            var parameters = new List<(string, object)>();
            var values = new List<string>();
            for (var i = 0; i < rows.Count; i++)
            {
                values.Add($"(@p{i}, @m{i}, @c{i}, @o{i}, @l{i})");
                parameters.AddRange([($"p{i}", rows[i].PieceCid), ($"m{i}", rows[i].Multihash), ($"c{i}", unchecked((long)rows[i].Codec)),
                    ($"o{i}", rows[i].Offset), ($"l{i}", rows[i].Length)]);
            }

            added += await ExecuteAsync(connection, tx,
                $"INSERT INTO {PieceBlockStore.Table} (PieceCid, Multihash, Codec, BlockOffset, BlockLength) VALUES {string.Join(", ", values)} "
                + "ON CONFLICT (PieceCid, Multihash) DO NOTHING", cancellationToken, [.. parameters]);
        }

        return added;
    }

    public static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> ScalarAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            command.Parameters.Add(p);
        }

        return command;
    }

    // Grain-state times as Orleans' own queries write them: SQLite text from strftime, PostgreSQL timestamptz.
    private object Time(DateTime utc) => IsSqlite
        ? utc.ToString(SqliteTime, CultureInfo.InvariantCulture)
        : DateTime.SpecifyKind(utc, DateTimeKind.Utc);

    // Reminder start times as Orleans binds them: a DateTime parameter.
    private static DateTime ReminderTime(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc);

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private static int Int(DbDataReader reader, int i) => Convert.ToInt32(reader.GetValue(i), CultureInfo.InvariantCulture);

    private static long Long(DbDataReader reader, int i) => Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture);

    private static DateTime Utc(DbDataReader reader, int i) => reader.GetValue(i) switch
    {
        DateTime t => t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc),
        DateTimeOffset o => o.UtcDateTime,
        string s => DateTime.SpecifyKind(DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), DateTimeKind.Utc),
        var other => throw new InvalidDataException($"unexpected time value {other}"),
    };
}
