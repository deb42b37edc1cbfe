namespace Granary.Silo.Database;

/// <summary>The database behind a cluster's membership, grain state and reminders.</summary>
public enum DatabaseKind
{
    /// <summary>An embedded SQLite file in the repo; one machine only.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server shared by every silo of the cluster.</summary>
    PostgreSql,
}
