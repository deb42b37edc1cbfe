namespace Granary.Silo.Backup;

/// <summary>What merging one row did.</summary>
internal enum MergeResult
{
    /// <summary>The row was new.</summary>
    Added,

    /// <summary>A row with the same key held other data; it was replaced.</summary>
    Updated,

    /// <summary>An equal row was already there.</summary>
    Unchanged,
}
