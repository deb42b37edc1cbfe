using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Granary.Grains.Sealing.Workers;
using Granary.Silo.Cli;

namespace Granary.Silo.Sealing;

/// <summary>
/// <c>granary sealing jobs|workers|abort</c>, as lotus-miner's: the sealing silos' queued and running tasks,
/// their pools' resource use, and aborting a task.
/// </summary>
internal static class SealingCommand
{
    public static Command Create()
    {
        var command = new Command("sealing", "The sealing worker pools of the cluster's sealing silos: jobs, resource use, abort");
        command.Subcommands.Add(Jobs());
        command.Subcommands.Add(Workers());
        command.Subcommands.Add(Abort());
        return command;
    }

    private static Command Jobs()
    {
        var json = CliOptions.Json();
        var verb = new Command("jobs", "List running and queued sealing tasks on every sealing silo (ID, Sector, Worker, Hostname, Task, State, Time, Progress)") { json };
        verb.SetAction(async r =>
        {
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var jobs = await client.CallAsync("Filecoin.WorkerJobs");
            var output = r.InvocationConfiguration.Output;
            if (r.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(jobs, new JsonSerializerOptions { WriteIndented = true }));
                return;
            }

            var now = DateTimeOffset.UtcNow;
            // Oldest first, running before waiting, as lotus sorts.
            var lines = jobs.EnumerateObject().SelectMany(w => w.Value.EnumerateArray())
                .OrderBy(j => j.GetProperty("RunWait").GetInt32())
                .ThenBy(j => j.GetProperty("Start").GetDateTimeOffset())
                .Select(j => new[]
                {
                    j.GetProperty("ID").GetProperty("ID").GetGuid().ToString("N")[..8],
                    j.GetProperty("Sector").GetProperty("Number").GetUInt64().ToString(CultureInfo.InvariantCulture),
                    j.GetProperty("Worker").GetString() ?? "",
                    j.GetProperty("Hostname").GetString() ?? "",
                    SealingTaskTypes.TryParse(j.GetProperty("Task").GetString() ?? "", out var type) ? type.Short() : "UNK",
                    j.GetProperty("State").GetString() ?? "",
                    GoDuration.Format(now - j.GetProperty("Start").GetDateTimeOffset()),
                    j.GetProperty("State").GetString() == "running" || j.GetProperty("State").GetString() == "cancelling"
                        ? $"{j.GetProperty("Progress").GetDouble() * 100:0}%" : "",
                });
            await WriteTableAsync(output, ["ID", "Sector", "Worker", "Hostname", "Task", "State", "Time", "Progress"], lines);
        });
        return verb;
    }

    private static Command Workers()
    {
        var json = CliOptions.Json();
        var verb = new Command("workers", "Show each sealing silo's pool: cores, memory and GPU slots in use, tasks running and queued") { json };
        verb.SetAction(async r =>
        {
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var stats = await client.CallAsync("Filecoin.WorkerStats");
            var output = r.InvocationConfiguration.Output;
            if (r.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(stats, new JsonSerializerOptions { WriteIndented = true }));
                return;
            }

            foreach (var worker in stats.EnumerateObject().OrderBy(w => w.Name, StringComparer.Ordinal))
            {
                var w = worker.Value;
                var address = w.GetProperty("Address").GetString();
                if (w.GetProperty("Error").GetString() is { } error)
                {
                    await output.WriteLineAsync($"Worker {worker.Name} ({address}): unreachable: {error}");
                    continue;
                }

                var resources = w.GetProperty("Info").GetProperty("Resources");
                var cpus = resources.GetProperty("CPUs").GetInt32();
                var cpuUse = w.GetProperty("CpuUse").GetInt32();
                var memory = resources.GetProperty("MemPhysical").GetInt64();
                var memUsed = w.GetProperty("MemUsedMax").GetInt64();
                var gpus = resources.GetProperty("GPUs").GetArrayLength();
                await output.WriteLineAsync($"Worker {worker.Name}, host {w.GetProperty("Info").GetProperty("Hostname").GetString()} ({address})");
                await output.WriteLineAsync($"\tCPU:  [{Bar(cpuUse, cpus)}] {cpuUse}/{cpus} core(s) in use");
                await output.WriteLineAsync($"\tRAM:  [{Bar(memUsed, memory)}] {Percent(memUsed, memory)}% {ByteSize.Format(memUsed)}/{ByteSize.Format(memory)}");
                await output.WriteLineAsync(gpus == 0
                    ? "\tGPU:  none (GPU-capable stages run on the CPU)"
                    : $"\tGPU:  [{Bar(w.GetProperty("GpuUsed").GetDouble(), gpus)}] {w.GetProperty("GpuUsed").GetDouble():0.#}/{gpus} slot(s) in use");
                var counts = w.GetProperty("Totals").EnumerateArray()
                    .Where(t => t.GetProperty("Running").GetInt32() + t.GetProperty("Queued").GetInt32() > 0)
                    .Select(t => $"{Short(t.GetProperty("Task").GetString())} {t.GetProperty("Running").GetInt32()} running, {t.GetProperty("Queued").GetInt32()} queued")
                    .ToList();
                await output.WriteLineAsync($"\tTasks: {(counts.Count == 0 ? "none" : string.Join("; ", counts))}");
            }
        });
        return verb;
    }

    private static Command Abort()
    {
        var id = new Argument<string>("ID") { Description = "The job's ID as `sealing jobs` prints it (a unique prefix is enough)" };
        var verb = new Command("abort", "Cancel a queued or running sealing task (the work sees its cancellation token)") { id };
        verb.SetAction(async r =>
        {
            var prefix = r.GetValue(id)!.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
            if (prefix.Length < 4 || !prefix.All(char.IsAsciiHexDigit))
            {
                throw new CliError($"'{r.GetValue(id)}' is not a job ID (at least 4 hex digits, as `granary sealing jobs` prints)");
            }

            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var jobs = await client.CallAsync("Filecoin.WorkerJobs");
            var matches = jobs.EnumerateObject().SelectMany(w => w.Value.EnumerateArray())
                .Select(j => j.GetProperty("ID").GetProperty("ID").GetGuid())
                .Where(g => g.ToString("N").StartsWith(prefix, StringComparison.Ordinal))
                .Distinct()
                .ToList();
            var job = matches.Count switch
            {
                0 => throw new CliError($"no queued or running sealing job {prefix}"),
                1 => matches[0],
                _ => throw new CliError($"{matches.Count} jobs start with {prefix}; give more digits"),
            };
            await client.CallAsync("Filecoin.SealingAbort", new { ID = job });
            await r.InvocationConfiguration.Output.WriteLineAsync($"aborted {job:N}");
        });
        return verb;
    }

    private static string Short(string? name) => SealingTaskTypes.TryParse(name ?? "", out var type) ? type.Short() : "UNK";

    private static int Percent(double used, double total) => total <= 0 ? 0 : (int)Math.Round(100 * used / total);

    private static string Bar(double used, double total)
    {
        const int width = 40;
        var filled = total <= 0 ? 0 : (int)Math.Clamp(Math.Round(width * used / total), 0, width);
        return new string('|', filled) + new string(' ', width - filled);
    }

    // Columns separated by two spaces and padded to the widest cell, as lotus's tabwriter prints.
    private static async Task WriteTableAsync(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = header.Select((_, c) => all.Max(row => row[c].Length)).ToArray();
        foreach (var row in all)
        {
            await output.WriteLineAsync(string.Join("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        }
    }
}
