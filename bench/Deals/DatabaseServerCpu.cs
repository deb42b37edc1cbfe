using Granary.Silo.Database;

namespace Granary.Bench.Deals;

/// <summary>Bench-only: the CPU time used so far by the PostgreSQL server's processes on this machine (from /proc).</summary>
internal static class DatabaseServerCpu
{
    /// <summary>User + system time of every <c>postgres</c> process; null for SQLite (in-process) or without /proc.</summary>
    public static TimeSpan? Total(DatabaseTarget database)
    {
        if (database.Kind != DatabaseKind.PostgreSql || !Directory.Exists("/proc"))
        {
            return null;
        }

        var ticksPerSecond = 100.0; // USER_HZ on Linux
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (!int.TryParse(Path.GetFileName(dir), out _) || File.ReadAllText(Path.Combine(dir, "comm")).Trim() != "postgres")
                {
                    continue;
                }

                // Fields after the parenthesised command: state is field 3, utime 14, stime 15.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11]) + long.Parse(fields[12]);
            }
            catch (IOException)
            {
                // the process ended while being read
            }
        }

        return TimeSpan.FromSeconds(ticks / ticksPerSecond);
    }
}
