using System.Data.Common;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Granary.Silo.Database;

/// <summary>
/// Applies Granary's schema (Orleans membership, grain state and reminders tables, plus the query texts
/// Orleans' ADO.NET providers read from <c>OrleansQuery</c>). Idempotent: safe on every start and from
/// <c>granary db migrate</c>; concurrent silos on PostgreSQL serialize on an advisory lock.
/// </summary>
public static class SchemaMigrator
{
    /// <summary>The schema version these scripts produce.</summary>
    public const int SchemaVersion = 1;

    private const long PostgresLockKey = 0x6772616e617279; // "granary"

    /// <summary>What a migration did.</summary>
    public sealed record Result(DatabaseKind Kind, int SchemaVersion, int QueryCount);

    /// <summary>Applies the schema to <paramref name="target"/>.</summary>
    public static async Task<Result> ApplyAsync(DatabaseTarget target, CancellationToken cancellationToken = default)
    {
        var dialect = target.Kind == DatabaseKind.Sqlite ? "sqlite" : "postgresql";
        var schema = ReadScript($"{dialect}/schema.sql");
        var queries = QueryScripts(dialect);

        if (target.Kind == DatabaseKind.Sqlite)
        {
            var path = new SqliteConnectionStringBuilder(target.ConnectionString).DataSource;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }

        await using DbConnection connection = target.Kind == DatabaseKind.Sqlite
            ? new SqliteConnection(target.ConnectionString)
            : new NpgsqlConnection(target.ConnectionString);
        await connection.OpenAsync(cancellationToken);

        if (target.Kind == DatabaseKind.PostgreSql)
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({PostgresLockKey})", cancellationToken);
        }

        try
        {
            // The schema script runs outside a transaction: SQLite can't switch to WAL inside one.
            await ExecuteAsync(connection, null, schema, cancellationToken);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            var upsert = target.Kind == DatabaseKind.Sqlite
                ? "INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES (@k, @t) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText"
                : "INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES (@k, @t) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText";
            foreach (var (key, text) in queries)
            {
                await ExecuteAsync(connection, tx, upsert, cancellationToken, ("k", key), ("t", text));
            }

            var version = target.Kind == DatabaseKind.Sqlite
                ? "INSERT INTO GranarySchema (Id, Version, AppliedAt) VALUES (1, @v, strftime('%Y-%m-%d %H:%M:%f', 'now')) ON CONFLICT (Id) DO UPDATE SET Version = excluded.Version, AppliedAt = excluded.AppliedAt"
                : "INSERT INTO GranarySchema (Id, Version, AppliedAt) VALUES (1, @v, now()) ON CONFLICT (Id) DO UPDATE SET Version = excluded.Version, AppliedAt = excluded.AppliedAt";
            await ExecuteAsync(connection, tx, version, cancellationToken, ("v", SchemaVersion));
            await tx.CommitAsync(cancellationToken);
        }
        finally
        {
            if (target.Kind == DatabaseKind.PostgreSql)
            {
                await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({PostgresLockKey})", CancellationToken.None);
            }
        }

        return new Result(target.Kind, SchemaVersion, queries.Count);
    }

    /// <summary>The Orleans query texts for a dialect: its own files override the common ones.</summary>
    internal static IReadOnlyDictionary<string, string> QueryScripts(string dialect)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var folder in new[] { "common", dialect })
        {
            var prefix = $"Granary.Sql.{folder}/queries/";
            foreach (var name in Assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
            {
                result[Path.GetFileNameWithoutExtension(name[prefix.Length..])] = ReadResource(name);
            }
        }

        return result;
    }

    private static Assembly Assembly => typeof(SchemaMigrator).Assembly;

    private static string ReadScript(string relative) => ReadResource($"Granary.Sql.{relative}");

    private static string ReadResource(string name)
    {
        using var stream = Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded SQL script '{name}' is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql,
        CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            command.Parameters.Add(p);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
