using System.Diagnostics;
using Npgsql;

namespace Granary.Silo.Tests.Support;

/// <summary>
/// The real PostgreSQL server the test setup (tests/setup/10-postgres.sh) installs and starts. If the
/// suite runs without ./test.sh, the script is run here. Each test gets its own database.
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<string> Admin = new(Start);

    /// <summary>Creates a fresh database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var name = $"granary_{Guid.NewGuid():N}"[..30];
        await using (var connection = new NpgsqlConnection(Admin.Value))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(Admin.Value) { Database = name }.ToString();
    }

    private static string Start()
    {
        if (Environment.GetEnvironmentVariable("GRANARY_TEST_POSTGRES") is { Length: > 0 } ready)
        {
            return ready;
        }

        var script = Path.Combine(RepoRoot.Path, "tests", "setup", "10-postgres.sh");
        var info = new ProcessStartInfo("bash", ["-c", $"source '{script}' >&2 && printf %s \"$GRANARY_TEST_POSTGRES\""])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0 || string.IsNullOrEmpty(stdout.Result))
        {
            throw new InvalidOperationException($"PostgreSQL setup failed ({script}):\n{stderr.Result}");
        }

        return stdout.Result;
    }
}
