using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary proving info|deadlines|faults|check DEADLINE</c>, as lotus-miner's (its verbs and columns, times in
/// epochs): the miner's proving period and current deadline, every deadline's partitions, sectors, faults and proven
/// partitions, the faulty sectors, and a check of one deadline's sectors now.
/// </summary>
internal static class ProvingCommand
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var command = new Command("proving", "WindowPoSt and WinningPoSt: the proving period, deadlines, faults and sector checks");
        command.Subcommands.Add(Info());
        command.Subcommands.Add(Deadlines());
        command.Subcommands.Add(Faults());
        command.Subcommands.Add(Check());
        return command;
    }

    private static Command Info()
    {
        var json = CliOptions.Json();
        var command = new Command("info", "The proving period, the current deadline, faults and the last WinningPoSt") { json };
        command.SetAction(async r =>
        {
            var i = await CallAsync(r, "Filecoin.ProvingInfo");
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(i, Indented));
                return;
            }

            var now = i.GetProperty("CurrentEpoch").GetInt64();
            var sectors = i.GetProperty("Sectors").GetInt32();
            var faults = i.GetProperty("Faults").GetInt32();
            var d = i.GetProperty("Deadline");
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"Miner: {i.GetProperty("Miner").GetString()}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Current Epoch:           {now}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Proving Period Boundary: {i.GetProperty("ProvingPeriodBoundary").GetInt64()}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Proving Period Start:    {When(i.GetProperty("PeriodStart").GetInt64(), now)}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Next Period Start:       {When(i.GetProperty("NextPeriodStart").GetInt64(), now)}");
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Faults:      {faults} ({(sectors == 0 ? 0 : 100.0 * faults / sectors):0.00}%)");
            text.AppendLine(CultureInfo.InvariantCulture, $"Recovering:  {i.GetProperty("Recovering").GetInt32()}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Sectors:     {sectors} live, {i.GetProperty("Active").GetInt32()} active");
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Deadline Index:       {d.GetProperty("Index").GetUInt64()}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Deadline Sectors:     {d.GetProperty("Sectors").GetInt32()}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Deadline Open:        {When(d.GetProperty("Open").GetInt64(), now)}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Deadline Close:       {When(d.GetProperty("Close").GetInt64(), now)}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Deadline Challenge:   {When(d.GetProperty("Challenge").GetInt64(), now)}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Deadline FaultCutoff: {When(d.GetProperty("FaultCutoff").GetInt64(), now)}");
            text.AppendLine();
            var scheduler = i.GetProperty("Scheduler");
            text.AppendLine(CultureInfo.InvariantCulture, $"Proving silos:        {Join(i.GetProperty("Provers").EnumerateArray().Select(p => p.GetString()))}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Scheduler:            silo {scheduler.GetProperty("Silo").GetString()}, "
                + $"head {scheduler.GetProperty("Head").GetInt64()}, acted on {scheduler.GetProperty("Settled").GetInt64()}");
            text.AppendLine(CultureInfo.InvariantCulture, $"WinningPoSt:          {Winning(i.GetProperty("Winning"), i.GetProperty("WinningCount").GetInt64())}");
            Console.Write(text.ToString());
        });
        return command;
    }

    private static Command Deadlines()
    {
        var json = CliOptions.Json();
        var command = new Command("deadlines", "Every deadline of the current proving period: partitions, sectors (faults), proven partitions") { json };
        command.SetAction(async r =>
        {
            var rows = await CallAsync(r, "Filecoin.ProvingDeadlines");
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(rows, Indented));
                return;
            }

            var table = new List<string[]> { new[] { "deadline", "open", "partitions", "sectors (faults)", "proven partitions", "post" } };
            foreach (var row in rows.EnumerateArray())
            {
                var post = row.GetProperty("PoSt");
                var height = row.GetProperty("PoStHeight").GetInt64();
                table.Add([
                    $"{row.GetProperty("Index").GetUInt64()}{(row.GetProperty("Current").GetBoolean() ? " (current)" : "")}",
                    row.GetProperty("Open").GetInt64().ToString(CultureInfo.InvariantCulture),
                    row.GetProperty("Partitions").GetInt32().ToString(CultureInfo.InvariantCulture),
                    $"{row.GetProperty("Sectors").GetInt32()} ({row.GetProperty("Faults").GetInt32()})",
                    row.GetProperty("ProvenPartitions").GetInt32().ToString(CultureInfo.InvariantCulture),
                    post.ValueKind == JsonValueKind.String ? $"{post.GetString()}{(height >= 0 ? $" (epoch {height})" : "")}" : "",
                ]);
            }

            Console.WriteLine($"Miner: {await MinerAsync(r)}");
            Write(table);
        });
        return command;
    }

    private static Command Faults()
    {
        var json = CliOptions.Json();
        var command = new Command("faults", "The faulty sectors: deadline, partition, sector (and whether declared recovered)") { json };
        command.SetAction(async r =>
        {
            var faults = await CallAsync(r, "Filecoin.ProvingFaults");
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(faults, Indented));
                return;
            }

            var table = new List<string[]> { new[] { "deadline", "partition", "sectors" } };
            table.AddRange(faults.EnumerateArray().Select(f => new[]
            {
                f.GetProperty("Deadline").GetUInt64().ToString(CultureInfo.InvariantCulture),
                f.GetProperty("Partition").GetUInt64().ToString(CultureInfo.InvariantCulture),
                $"{f.GetProperty("Sector").GetUInt64()}{(f.GetProperty("Recovering").GetBoolean() ? " (recovering)" : "")}",
            }));
            Console.WriteLine($"Miner: {await MinerAsync(r)}");
            Write(table);
        });
        return command;
    }

    private static Command Check()
    {
        var deadline = new Argument<long>("DEADLINE") { Description = "The deadline index (0 to 47)" };
        var onlyBad = new Option<bool>("--only-bad") { Description = "Print only the sectors that cannot be proven" };
        var json = CliOptions.Json();
        var command = new Command("check", "Check now that every sector of a deadline can be proven: its files are found, sized right, and read back") { deadline, onlyBad, json };
        command.SetAction(async r =>
        {
            var index = r.GetValue(deadline);
            if (index is < 0 or > 1023)
            {
                throw new CliError($"'{index}' is not a deadline index (0 to 47)", 2);
            }

            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var lines = await client.CallAsync("Filecoin.ProvingCheck", index);
            var shown = lines.EnumerateArray().Where(l => !r.GetValue(onlyBad) || !l.GetProperty("Ok").GetBoolean()).ToList();
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(shown, Indented));
                return;
            }

            var table = new List<string[]> { new[] { "deadline", "partition", "sector", "status" } };
            table.AddRange(shown.Select(l => new[]
            {
                l.GetProperty("Deadline").GetUInt64().ToString(CultureInfo.InvariantCulture),
                l.GetProperty("Partition").GetUInt64().ToString(CultureInfo.InvariantCulture),
                l.GetProperty("Sector").GetUInt64().ToString(CultureInfo.InvariantCulture),
                l.GetProperty("Ok").GetBoolean() ? "good" : $"bad ({l.GetProperty("Reason").GetString()})",
            }));
            Write(table);
        });
        return command;
    }

    private static async Task<JsonElement> CallAsync(ParseResult r, string method)
    {
        using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
        return await client.CallAsync(method);
    }

    private static async Task<string?> MinerAsync(ParseResult r) => (await CallAsync(r, "Filecoin.ActorAddress")).GetString();

    // An epoch and how far it is from now, e.g. "1212 (22 epochs ago)".
    private static string When(long epoch, long now) => epoch == now ? $"{epoch} (now)"
        : epoch > now ? $"{epoch} (in {epoch - now} epochs)" : $"{epoch} ({now - epoch} epochs ago)";

    private static string Winning(JsonElement winning, long count)
    {
        if (winning.ValueKind != JsonValueKind.Object)
        {
            return "none computed yet (the miner has won no block since the scheduler started)";
        }

        var epoch = winning.GetProperty("Epoch").GetInt64();
        var sector = winning.GetProperty("Sector");
        var what = sector.ValueKind == JsonValueKind.Number ? $"sector {sector.GetUInt64()}" : "no sector";
        var outcome = winning.GetProperty("Verified").GetBoolean()
            ? $"verified, {winning.GetProperty("ProofBytes").GetInt32()} bytes on silo {winning.GetProperty("Silo").GetString()}"
            : $"failed: {winning.GetProperty("Reason").GetString()}";
        return $"epoch {epoch}, {what}, {outcome} ({count} computed; not submitted: the devnet doesn't ask for it)";
    }

    private static string Join(IEnumerable<string?> items) => items.Any() ? string.Join(", ", items) : "(none)";

    private static void Write(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        }
    }
}
