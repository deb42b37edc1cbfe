using System.CommandLine;
using System.Text.Json;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary info [--json]</c>: the silo, its subsystems and the cluster's members, from the running silo (the miner side,
/// or the markets side with <c>--call-on-markets</c>), and both sides of a split miner (<see cref="ApiTarget"/>): each
/// side's endpoint, silo and subsystems, or why it is unreachable.
/// </summary>
internal static class InfoCommand
{
    /// <summary>One side as <c>info</c> found it.</summary>
    private sealed record Side(string Name, string? Endpoint, string? Source, bool Reachable, string? Silo, string[] Subsystems, string? Error)
    {
        public JsonElement Version { get; init; }

        public JsonElement SubsystemsJson { get; init; }

        public JsonElement Members { get; init; }

        public JsonElement History { get; init; }
    }

    public static Command Create()
    {
        var json = CliOptions.Json();
        var command = new Command("info", "Show the running silo, its subsystems, the cluster members and both sides (miner, markets) of a split miner") { json };
        command.SetAction(async r =>
        {
            var repo = r.GetValue(CliOptions.Repo);
            var miner = await ProbeAsync(ApiSide.Miner, repo);
            var markets = await ProbeAsync(ApiSide.Markets, repo);
            var primary = ApiTarget.Current == ApiSide.Markets ? markets : miner;
            var shown = primary.Reachable ? primary : (ReferenceEquals(primary, miner) ? markets : miner);
            if (!shown.Reachable)
            {
                throw new CliError(primary.Error ?? "no silo reachable");
            }

            var members = shown.Members;
            var history = shown.History;
            var self = members.EnumerateArray().FirstOrDefault(m => m.GetProperty("Self").GetBoolean());
            var sameSilo = miner.Reachable && markets.Reachable && miner.Silo == markets.Silo;

            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    Silo = self.ValueKind == JsonValueKind.Object ? self.GetProperty("Name").GetString() : null,
                    Version = shown.Version.GetProperty("Version").GetString(),
                    Subsystems = shown.SubsystemsJson,
                    Members = members,
                    ClusterFirstStart = history.GetProperty("FirstStart"),
                    ClusterSiloStarts = history.GetProperty("TotalStarts").GetInt64(),
                    Sides = new { Miner = Describe(miner), Markets = Describe(markets), SameSilo = sameSilo },
                }, new JsonSerializerOptions { WriteIndented = true }));
                return;
            }

            Console.WriteLine($"Silo:        {(self.ValueKind == JsonValueKind.Object ? self.GetProperty("Name").GetString() : "?")} ({shown.Version.GetProperty("Version").GetString()})");
            Console.WriteLine($"Subsystems:  {string.Join(", ", shown.Subsystems)}");
            Console.WriteLine($"Cluster:     {members.GetArrayLength()} active silo(s); {history.GetProperty("TotalStarts").GetInt64()} silo start(s) since {history.GetProperty("FirstStart")}");
            Console.WriteLine();
            Console.WriteLine($"{"SILO",-28} {"ADDRESS",-26} {"STATUS",-8} SUBSYSTEMS");
            foreach (var m in members.EnumerateArray())
            {
                var name = m.GetProperty("Name").GetString() + (m.GetProperty("Self").GetBoolean() ? " *" : "");
                Console.WriteLine($"{name,-28} {m.GetProperty("Address").GetString(),-26} {m.GetProperty("Status").GetString(),-8} "
                    + string.Join(",", m.GetProperty("Subsystems").EnumerateArray().Select(s => s.GetString())));
            }

            Console.WriteLine();
            Console.WriteLine(sameSilo ? "Sides (monolith: one silo serves both):" : "Sides:");
            foreach (var side in new[] { miner, markets })
            {
                Console.WriteLine(side.Reachable
                    ? $"  {side.Name + ":",-9} {side.Silo} ({string.Join(", ", side.Subsystems)}) at {side.Endpoint} (from {side.Source})"
                    : $"  {side.Name + ":",-9} unreachable: {side.Error}");
            }
        });
        return command;
    }

    private static object Describe(Side side) => new
    {
        side.Endpoint,
        side.Source,
        side.Reachable,
        side.Silo,
        side.Subsystems,
        side.Error,
    };

    private static async Task<Side> ProbeAsync(ApiSide which, string? repo)
    {
        var name = which == ApiSide.Miner ? "miner" : "markets";
        ApiInfo info;
        string source;
        try
        {
            (info, source) = ApiTarget.Describe(which, repo);
        }
        catch (CliError e)
        {
            return new Side(name, null, null, false, null, [], e.Message);
        }

        try
        {
            using var client = new ApiClient(info);
            var version = await client.CallAsync("Filecoin.Version");
            var subsystems = await client.CallAsync("Filecoin.RuntimeSubsystems");
            var members = await client.CallAsync("Filecoin.ClusterMembers");
            var history = await client.CallAsync("Filecoin.ClusterHistory");
            var self = members.EnumerateArray().FirstOrDefault(m => m.GetProperty("Self").GetBoolean());
            return new Side(name, info.Multiaddr, source, true, self.ValueKind == JsonValueKind.Object ? self.GetProperty("Name").GetString() : null,
                [.. subsystems.EnumerateArray().Select(s => s.GetString()!)], null)
            {
                Version = version,
                SubsystemsJson = subsystems,
                Members = members,
                History = history,
            };
        }
        catch (CliError e)
        {
            return new Side(name, info.Multiaddr, source, false, null, [], e.Message);
        }
    }
}
