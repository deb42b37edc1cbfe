using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary sectors pledge|list|status|remove</c>, as lotus-miner's: pledge a committed-capacity sector, list sectors
/// (ID, State, OnChain, Active, Expiration, Deals), show one sector's state with its history, remove one.
/// </summary>
internal static class SectorsCommand
{
    // Sectors asked for at once by `sectors list`.
    private const int Parallel = 16;

    public static Command Create()
    {
        var command = new Command("sectors", "The miner's sectors: pledge, list, status, remove");
        command.Subcommands.Add(Pledge());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Status());
        command.Subcommands.Add(Remove());
        return command;
    }

    private static Command Pledge()
    {
        var verb = new Command("pledge", "Store random data in a sector (a committed-capacity sector, sealed and proven like any other)");
        verb.SetAction(async r =>
        {
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var id = await client.CallAsync("Filecoin.PledgeSector");
            await r.InvocationConfiguration.Output.WriteLineAsync(
                $"Created CC sector: {id.GetProperty("Number").GetUInt64().ToString(CultureInfo.InvariantCulture)}");
        });
        return verb;
    }

    private static Command List()
    {
        var json = CliOptions.Json();
        var verb = new Command("list", "List sectors (ID, State, OnChain, Active, Expiration, Deals)") { json };
        verb.SetAction(async r =>
        {
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var numbers = (await client.CallAsync("Filecoin.SectorsList")).EnumerateArray().Select(n => n.GetUInt64()).ToArray();
            var statuses = new JsonElement[numbers.Length];
            await System.Threading.Tasks.Parallel.ForEachAsync(Enumerable.Range(0, numbers.Length), new ParallelOptions { MaxDegreeOfParallelism = Parallel },
                async (i, _) => statuses[i] = await client.CallAsync("Filecoin.SectorsStatus", numbers[i], true));
            var output = r.InvocationConfiguration.Output;
            if (r.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(statuses.Select(s => new
                {
                    ID = s.GetProperty("SectorID").GetUInt64(),
                    State = s.GetProperty("State").GetString(),
                    OnChain = s.GetProperty("OnChain").GetBoolean(),
                    Active = s.GetProperty("Active").GetBoolean(),
                    Expiration = Expiration(s),
                    Deals = s.GetProperty("Deals").EnumerateArray().Select(d => d.GetUInt64()).ToArray(),
                }), new JsonSerializerOptions { WriteIndented = true }));
                return;
            }

            await WriteTableAsync(output, ["ID", "State", "OnChain", "Active", "Expiration", "Deals"], statuses.Select(s => new[]
            {
                s.GetProperty("SectorID").GetUInt64().ToString(CultureInfo.InvariantCulture),
                s.GetProperty("State").GetString() ?? "",
                YesNo(s.GetProperty("OnChain").GetBoolean()),
                YesNo(s.GetProperty("Active").GetBoolean()),
                Expiration(s) is var e and > 0 ? e.ToString(CultureInfo.InvariantCulture) : "-",
                s.GetProperty("Deals").GetArrayLength() == 0 ? "CC" : string.Join(",", s.GetProperty("Deals").EnumerateArray().Select(d => d.GetUInt64())),
            }));
        });
        return verb;
    }

    private static Command Status()
    {
        var number = Number();
        var log = new Option<bool>("--log") { Description = "Also print the state history, with times and how long each state lasted" };
        var json = CliOptions.Json();
        var verb = new Command("status", "Show a sector's state, commitments, ticket and seed, messages and last error") { number, log, json };
        verb.SetAction(async r =>
        {
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var s = await client.CallAsync("Filecoin.SectorsStatus", r.GetValue(number), true);
            var output = r.InvocationConfiguration.Output;
            if (r.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(s, new JsonSerializerOptions { WriteIndented = true }));
                return;
            }

            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"SectorID:\t{s.GetProperty("SectorID").GetUInt64()}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Status:\t\t{s.GetProperty("State").GetString()}");
            if (s.GetProperty("Stage").GetString() is { Length: > 0 } stage)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"Stage:\t\t{stage} {s.GetProperty("Progress").GetDouble() * 100:0}% on {s.GetProperty("Silo").GetString()}");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"CIDcommD:\t{Cid(s.GetProperty("CommD"))}");
            text.AppendLine(CultureInfo.InvariantCulture, $"CIDcommR:\t{Cid(s.GetProperty("CommR"))}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Ticket:\t\t{Hex(s.GetProperty("Ticket"))}");
            text.AppendLine(CultureInfo.InvariantCulture, $"TicketH:\t{s.GetProperty("Ticket").GetProperty("Epoch").GetInt64()}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Seed:\t\t{Hex(s.GetProperty("Seed"))}");
            text.AppendLine(CultureInfo.InvariantCulture, $"SeedH:\t\t{s.GetProperty("Seed").GetProperty("Epoch").GetInt64()}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Precommit:\t{Cid(s.GetProperty("PreCommitMsg"))}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Commit:\t\t{Cid(s.GetProperty("CommitMsg"))}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Deals:\t\t[{string.Join(" ", s.GetProperty("Deals").EnumerateArray().Select(d => d.GetUInt64()))}]");
            text.AppendLine(CultureInfo.InvariantCulture, $"Retries:\t{s.GetProperty("Retries").GetUInt64()}");
            if (s.GetProperty("LastErr").GetString() is { Length: > 0 } error)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"Last Error:\t\t{error}");
            }

            if (s.GetProperty("RetryAt").ValueKind == JsonValueKind.String)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"Retry At:\t{s.GetProperty("RetryAt").GetDateTimeOffset():u}");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"\nExpiration Info\nOnChain:\t{YesNo(s.GetProperty("OnChain").GetBoolean())}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Active:\t\t{YesNo(s.GetProperty("Active").GetBoolean())}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Activation:\t{s.GetProperty("Activation").GetInt64()}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Expiration:\t{Expiration(s)}");
            await output.WriteAsync(text.ToString());
            if (!r.GetValue(log))
            {
                return;
            }

            await output.WriteLineAsync("\nEvent Log:");
            var entries = s.GetProperty("Log").EnumerateArray().ToList();
            for (var i = 0; i < entries.Count; i++)
            {
                var time = entries[i].GetProperty("Time").GetDateTimeOffset();
                var lasted = i + 1 < entries.Count ? Sealing.GoDuration.Format(entries[i + 1].GetProperty("Time").GetDateTimeOffset() - time) : "";
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{i}.\t{time:yyyy-MM-dd HH:mm:ss.fff}:\t[{entries[i].GetProperty("State").GetString()}]\t{lasted}\t{entries[i].GetProperty("Silo").GetString()}\t{entries[i].GetProperty("Message").GetString()}"));
            }
        });
        return verb;
    }

    private static Command Remove()
    {
        var number = Number();
        var really = new Option<bool>("--really-do-it") { Description = "Confirm: the sector's files are deleted on every silo" };
        var verb = new Command("remove", "Forcefully remove a sector: stop its pipeline and delete its files everywhere (WARNING: a proven sector then fails its WindowPoSt)")
        {
            number, really,
        };
        verb.SetAction(async r =>
        {
            if (!r.GetValue(really))
            {
                throw new CliError("this is a destructive operation: pass --really-do-it to confirm");
            }

            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            await client.CallAsync("Filecoin.SectorRemove", r.GetValue(number));
            await r.InvocationConfiguration.Output.WriteLineAsync($"removing sector {r.GetValue(number)}");
        });
        return verb;
    }

    private static Argument<ulong> Number() => new("sector") { Description = "The sector number" };

    private static long Expiration(JsonElement s) =>
        s.TryGetProperty("OnChainExpiration", out var onChain) && onChain.ValueKind == JsonValueKind.Number && onChain.GetInt64() > 0
            ? onChain.GetInt64() : s.GetProperty("Expiration").GetInt64();

    private static string YesNo(bool value) => value ? "YES" : "NO";

    private static string Cid(JsonElement cid) => cid.ValueKind == JsonValueKind.Object ? cid.GetProperty("/").GetString() ?? "" : "<nil>";

    private static string Hex(JsonElement randomness) => randomness.GetProperty("Value").GetString() is { } value
        ? Convert.ToHexStringLower(Convert.FromBase64String(value)) : "";

    // Columns separated by two spaces and padded to the widest cell, as lotus's tabwriter prints.
    private static async Task WriteTableAsync(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = header.Select((_, i) => all.Max(row => row[i].Length)).ToArray();
        foreach (var row in all)
        {
            await output.WriteLineAsync(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }
}
