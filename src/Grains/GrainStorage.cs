namespace Granary.Grains;

/// <summary>Names of the grain storage providers every silo registers.</summary>
public static class GrainStorage
{
    /// <summary>The cluster database (SQLite or PostgreSQL through Orleans ADO.NET persistence).</summary>
    public const string Name = "granary";
}
