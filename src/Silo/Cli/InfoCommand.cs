using System.CommandLine;
using System.Text.Json;

namespace Granary.Silo.Cli;

/// <summary><c>granary info [--json]</c>: the silo, its subsystems and the cluster's members, from the running silo.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var json = CliOptions.Json();
        var command = new Command("info", "Show the running silo, its subsystems and the cluster members") { json };
        command.SetAction(async r =>
        {
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var version = await client.CallAsync("Filecoin.Version");
            var subsystems = await client.CallAsync("Filecoin.RuntimeSubsystems");
            var members = await client.CallAsync("Filecoin.ClusterMembers");
            var history = await client.CallAsync("Filecoin.ClusterHistory");
            var self = members.EnumerateArray().FirstOrDefault(m => m.GetProperty("Self").GetBoolean());

            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    Silo = self.ValueKind == JsonValueKind.Object ? self.GetProperty("Name").GetString() : null,
                    Version = version.GetProperty("Version").GetString(),
                    Subsystems = subsystems,
                    Members = members,
                    ClusterFirstStart = history.GetProperty("FirstStart"),
                    ClusterSiloStarts = history.GetProperty("TotalStarts").GetInt64(),
                }, new JsonSerializerOptions { WriteIndented = true }));
                return;
            }

            Console.WriteLine($"Silo:        {(self.ValueKind == JsonValueKind.Object ? self.GetProperty("Name").GetString() : "?")} ({version.GetProperty("Version").GetString()})");
            Console.WriteLine($"Subsystems:  {string.Join(", ", subsystems.EnumerateArray().Select(s => s.GetString()))}");
            Console.WriteLine($"Cluster:     {members.GetArrayLength()} active silo(s); {history.GetProperty("TotalStarts").GetInt64()} silo start(s) since {history.GetProperty("FirstStart")}");
            Console.WriteLine();
            Console.WriteLine($"{"SILO",-28} {"ADDRESS",-26} {"STATUS",-8} SUBSYSTEMS");
            foreach (var m in members.EnumerateArray())
            {
                var name = m.GetProperty("Name").GetString() + (m.GetProperty("Self").GetBoolean() ? " *" : "");
                Console.WriteLine($"{name,-28} {m.GetProperty("Address").GetString(),-26} {m.GetProperty("Status").GetString(),-8} "
                    + string.Join(",", m.GetProperty("Subsystems").EnumerateArray().Select(s => s.GetString())));
            }
        });
        return command;
    }
}
