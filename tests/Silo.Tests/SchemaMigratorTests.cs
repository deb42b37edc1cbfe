using Granary.Silo.Database;
using Granary.Silo.Tests.Support;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Granary.Silo.Tests;

public sealed class SchemaMigratorTests
{
    // The keys Orleans 10.4.2's clustering (9), reminders (7) and persistence (4) providers read.
    private static readonly string[] OrleansQueryKeys =
    [
        "CleanupDefunctSiloEntriesKey", "ClearStorageKey", "DeleteMembershipTableEntriesKey", "DeleteReminderRowKey",
        "DeleteReminderRowsKey", "DeleteStorageKey", "GatewaysQueryKey", "InsertMembershipKey", "InsertMembershipVersionKey",
        "MembershipReadAllKey", "MembershipReadRowKey", "ReadFromStorageKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "ReadReminderRowKey", "ReadReminderRowsKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey", "UpsertReminderRowKey",
        "WriteToStorageKey",
    ];

    [Fact]
    public async Task Sqlite_schema_applies_twice_and_installs_every_orleans_query_in_wal_mode()
    {
        using var dir = new TempDirectory();
        var target = DatabaseTarget.Resolve("sqlite:sub/state.db", dir.Path);

        await SchemaMigrator.ApplyAsync(target);
        var second = await SchemaMigrator.ApplyAsync(target);

        Assert.Equal(20, second.QueryCount);
        await using var connection = new SqliteConnection(target.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal(OrleansQueryKeys, await ReadKeysAsync(connection));
        await using var mode = connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await mode.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Postgres_schema_applies_twice_and_concurrently()
    {
        var target = DatabaseTarget.Resolve(await PostgresServer.CreateDatabaseAsync(), "/");

        await Task.WhenAll(SchemaMigrator.ApplyAsync(target), SchemaMigrator.ApplyAsync(target));
        await SchemaMigrator.ApplyAsync(target);

        await using var connection = new NpgsqlConnection(target.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal(OrleansQueryKeys, await ReadKeysAsync(connection));
    }

    [Fact]
    public async Task Sqlite_storage_write_is_a_compare_and_swap()
    {
        using var dir = new TempDirectory();
        var target = DatabaseTarget.Resolve("sqlite:cas.db", dir.Path);
        await SchemaMigrator.ApplyAsync(target);
        await using var connection = new SqliteConnection(target.ConnectionString);
        await connection.OpenAsync();

        Assert.Equal(1L, await WriteAsync(connection, null));   // first write
        Assert.Null(await WriteAsync(connection, null));        // a second "first" write conflicts
        Assert.Equal(2L, await WriteAsync(connection, 1));      // matching ETag
        Assert.Null(await WriteAsync(connection, 1));           // stale ETag
    }

    private static async Task<object?> WriteAsync(SqliteConnection connection, int? version)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = SchemaMigrator.QueryScripts("sqlite")["WriteToStorageKey"];
        foreach (var (name, value) in new (string, object?)[]
        {
            ("GrainIdHash", 1), ("GrainIdN0", 2L), ("GrainIdN1", 3L), ("GrainTypeHash", 4), ("GrainTypeString", "t"),
            ("GrainIdExtensionString", null), ("ServiceId", "s"), ("PayloadBinary", new byte[] { 1 }), ("GrainStateVersion", version),
        })
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return await command.ExecuteScalarAsync();
    }

    private static async Task<string[]> ReadKeysAsync(System.Data.Common.DbConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey";
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return [.. keys.Order(StringComparer.Ordinal)];
    }
}
