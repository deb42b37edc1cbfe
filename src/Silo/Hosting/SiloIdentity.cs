using Granary.Silo.Configuration;
using Granary.Silo.Database;
using Granary.Silo.Repo;

namespace Granary.Silo.Hosting;

/// <summary>The repo, config and database this silo process runs with.</summary>
public sealed record SiloIdentity(GranaryRepo Repo, GranaryConfig Config, DatabaseTarget Database, string SiloName)
{
    /// <summary>The product version reported by <c>Filecoin.Version</c> and recorded at each start.</summary>
    public static string Version { get; } =
        typeof(SiloIdentity).Assembly.GetName().Version?.ToString(3) is { } v ? $"granary/{v}" : "granary";
}
