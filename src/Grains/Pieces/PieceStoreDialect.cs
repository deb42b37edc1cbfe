namespace Granary.Grains.Pieces;

/// <summary>The SQL dialect of the cluster database the block index lives in.</summary>
public enum PieceStoreDialect
{
    /// <summary>SQLite (a single machine).</summary>
    Sqlite = 0,

    /// <summary>PostgreSQL (a cluster).</summary>
    PostgreSql = 1,
}
