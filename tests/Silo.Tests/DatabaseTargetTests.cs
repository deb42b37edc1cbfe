using Granary.Silo.Database;
using Npgsql;

namespace Granary.Silo.Tests;

/// <summary>How a <c>[Cluster] Database</c> value becomes a connection string.</summary>
public sealed class DatabaseTargetTests
{
    [Fact]
    public void A_PostgreSQL_connection_string_gets_statement_preparation_unless_it_sets_its_own()
    {
        var target = DatabaseTarget.Resolve("Host=db.internal;Database=granary;Username=granary", "/repo");
        var built = new NpgsqlConnectionStringBuilder(target.ConnectionString);
        Assert.Equal((DatabaseKind.PostgreSql, "db.internal", "granary", DatabaseTarget.DefaultMaxAutoPrepare),
            (target.Kind, built.Host, built.Database, built.MaxAutoPrepare));

        var own = new NpgsqlConnectionStringBuilder(DatabaseTarget.Resolve("Host=db;Database=g;Max Auto Prepare=0", "/repo").ConnectionString);
        Assert.Equal(0, own.MaxAutoPrepare);
        Assert.Equal("postgresql://granary@db.internal:5432/granary", target.Describe());
    }

    [Fact]
    public void A_sqlite_path_is_inside_the_repo_and_bad_values_are_refused()
    {
        var target = DatabaseTarget.Resolve("sqlite:state.db", "/repo");
        Assert.Equal("sqlite:/repo/state.db", target.Describe());
        Assert.Contains("needs a file path", Assert.Throws<FormatException>(() => DatabaseTarget.Resolve("sqlite:", "/repo")).Message);
        Assert.Contains("Host=", Assert.Throws<FormatException>(() => DatabaseTarget.Resolve("Database=granary", "/repo")).Message);
    }
}
