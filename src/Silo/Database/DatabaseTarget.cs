using Microsoft.Data.Sqlite;
using Npgsql;

namespace Granary.Silo.Database;

/// <summary>
/// Where a silo keeps cluster state: <c>[Cluster] Database</c> is either <c>sqlite:PATH</c> (relative
/// paths are inside the repo) or a PostgreSQL connection string (<c>Host=…;Database=…;Username=…</c>).
/// </summary>
public sealed record DatabaseTarget(DatabaseKind Kind, string ConnectionString)
{
    private const string SqlitePrefix = "sqlite:";

    /// <summary>Statements Npgsql prepares per PostgreSQL connection unless the connection string says otherwise.</summary>
    public const int DefaultMaxAutoPrepare = 32;

    /// <summary>The ADO.NET invariant name Orleans' providers use for this database.</summary>
    public string Invariant => Kind == DatabaseKind.Sqlite ? "System.Data.SQLite" : "Npgsql";

    /// <summary>Short name for health output and logs: <c>sqlite</c> or <c>postgresql</c>.</summary>
    public string KindName => Kind == DatabaseKind.Sqlite ? "sqlite" : "postgresql";

    /// <summary>Resolves a config value against the repo directory.</summary>
    /// <exception cref="FormatException">The value is neither form.</exception>
    public static DatabaseTarget Resolve(string value, string repoDirectory)
    {
        var kind = Validate(value);
        if (kind == DatabaseKind.PostgreSql)
        {
            var postgres = new NpgsqlConnectionStringBuilder(value);
            var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = value }; // only the keys the value sets
            if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
            {
                // Orleans' ADO.NET providers send the same few statements over and over (grain state, reminders,
                // membership): prepared once per connection, the server skips parsing and planning them, about a third
                // of its CPU per deal proposal (./bench.sh deals). An operator's own setting wins.
                postgres.MaxAutoPrepare = DefaultMaxAutoPrepare;
            }

            return new DatabaseTarget(kind, postgres.ToString());
        }

        var path = Path.GetFullPath(Path.Combine(repoDirectory, value[SqlitePrefix.Length..]));
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY until the command timeout.
            DefaultTimeout = 30,
        };
        return new DatabaseTarget(kind, builder.ToString());
    }

    /// <summary>Checks the form of a config value and says which kind it is.</summary>
    /// <exception cref="FormatException">With a message saying what is wrong.</exception>
    public static DatabaseKind Validate(string value)
    {
        if (value.StartsWith(SqlitePrefix, StringComparison.Ordinal))
        {
            if (value.Length == SqlitePrefix.Length)
            {
                throw new FormatException("'sqlite:' needs a file path, e.g. sqlite:granary.db");
            }

            return DatabaseKind.Sqlite;
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(value);
            if (string.IsNullOrEmpty(builder.Host))
            {
                throw new FormatException("a PostgreSQL connection string needs Host=…");
            }
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"neither sqlite:PATH nor a PostgreSQL connection string ({e.Message})");
        }

        return DatabaseKind.PostgreSql;
    }

    /// <summary>The target without secrets, for logs and health output.</summary>
    public string Describe()
    {
        if (Kind == DatabaseKind.Sqlite)
        {
            return $"sqlite:{new SqliteConnectionStringBuilder(ConnectionString).DataSource}";
        }

        var b = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"postgresql://{b.Username}@{b.Host}:{b.Port}/{b.Database}";
    }
}
