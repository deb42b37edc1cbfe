using System.CommandLine;
using System.Text;
using System.Text.Json;
using Granary.Grains.Storage;
using Granary.Silo.Storage;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary storage attach|list|find</c>, as lotus-miner's: attach a path (optionally initializing its
/// sectorstore.json) to the silo the CLI talks to; list every path of the cluster from the sector index; find
/// where a sector's files are.
/// </summary>
internal static class StorageCommand
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var command = new Command("storage", "Manage sector storage paths: 'seal' scratch for the sealing pipeline and 'store' long-term storage proven over time");
        command.Subcommands.Add(Attach());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Find());
        return command;
    }

    private static Command Attach()
    {
        var path = new Argument<string>("PATH") { Description = "The directory (on the machine of the silo the CLI talks to)" };
        var init = new Option<bool>("--init") { Description = "Initialize the path first: create it and write its sectorstore.json" };
        var seal = new Option<bool>("--seal") { Description = "(for init) use the path for sealing scratch" };
        var store = new Option<bool>("--store") { Description = "(for init) use the path for long-term storage" };
        var weight = new Option<ulong>("--weight")
        {
            Description = "(for init) path weight: a higher weight makes the path preferred",
            DefaultValueFactory = _ => StoragePathConfig.DefaultWeight,
        };
        var maxStorage = new Option<string?>("--max-storage") { Description = "(for init) limit the space sector files may use, e.g. 4TiB" };
        var groups = new Option<string[]>("--groups") { Description = "(for init) path group names", AllowMultipleArgumentsPerToken = true };
        var allowTo = new Option<string[]>("--allow-to")
        {
            Description = "(for init) groups allowed to take data moved from this path (all if not given)",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("attach", "Attach a storage path to this silo; its sectorstore.json (or --init) says what it is for")
        {
            path, init, seal, store, weight, maxStorage, groups, allowTo,
        };
        command.SetAction(async r =>
        {
            var directory = Path.GetFullPath(Expand(r.GetValue(path)!));
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            if (r.GetValue(init))
            {
                if (!r.GetValue(seal) && !r.GetValue(store))
                {
                    throw new CliError("must specify at least one of --store or --seal", 2);
                }

                ulong limit = 0;
                if (r.GetValue(maxStorage) is { } text)
                {
                    try
                    {
                        limit = StorageSize.Parse(text);
                    }
                    catch (FormatException e)
                    {
                        throw new CliError($"--max-storage: {e.Message}", 2);
                    }
                }

                await client.CallAsync("Filecoin.StorageInit", directory, new
                {
                    Weight = r.GetValue(weight),
                    CanSeal = r.GetValue(seal),
                    CanStore = r.GetValue(store),
                    MaxStorage = limit,
                    Groups = r.GetValue(groups) ?? [],
                    AllowTo = r.GetValue(allowTo) ?? [],
                });
            }
            else if (r.GetValue(seal) || r.GetValue(store) || r.GetValue(maxStorage) is not null
                || r.GetValue(groups) is { Length: > 0 } || r.GetValue(allowTo) is { Length: > 0 }
                || r.GetResult(weight) is { Implicit: false })
            {
                throw new CliError("--seal, --store, --weight, --max-storage, --groups and --allow-to describe a new path: add --init "
                    + "(an existing path is described by its sectorstore.json)", 2);
            }

            var attached = await client.CallAsync("Filecoin.StorageAddLocal", directory);
            Console.WriteLine($"attached {attached.GetProperty("Path").GetString()} (ID {attached.GetProperty("ID").GetString()}, use {attached.GetProperty("Use").GetString()})");
        });
        return command;
    }

    private static Command List()
    {
        var json = CliOptions.Json();
        var command = new Command("list", "List every storage path of the cluster: silo, capacity, reservations, weight, use and sector files") { json };
        command.SetAction(async r =>
        {
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var declarations = await client.CallAsync("Filecoin.StorageList");
            var paths = new List<JsonElement>();
            foreach (var entry in declarations.EnumerateObject())
            {
                var info = await client.CallAsync("Filecoin.StorageInfo", entry.Name);
                JsonElement? stat = null;
                try
                {
                    stat = await client.CallAsync("Filecoin.StorageStat", entry.Name);
                }
                catch (CliError)
                {
                    // not reported yet: shown as unknown
                }

                paths.Add(JsonSerializer.SerializeToElement(new
                {
                    ID = entry.Name,
                    Silo = info.GetProperty("Silo").GetString(),
                    LocalPath = info.GetProperty("LocalPath").GetString(),
                    URLs = info.GetProperty("URLs"),
                    Weight = info.GetProperty("Weight").GetUInt64(),
                    CanSeal = info.GetProperty("CanSeal").GetBoolean(),
                    CanStore = info.GetProperty("CanStore").GetBoolean(),
                    MaxStorage = info.GetProperty("MaxStorage").GetUInt64(),
                    Reachable = info.GetProperty("Available").GetBoolean(),
                    LastHeartbeat = info.GetProperty("LastHeartbeat"),
                    HeartbeatErr = info.GetProperty("HeartbeatErr"),
                    Stat = stat,
                    Sectors = entry.Value.EnumerateArray().Select(d => new
                    {
                        Sector = new SectorId(d.GetProperty("Miner").GetUInt64(), d.GetProperty("Number").GetUInt64()).Name,
                        Miner = d.GetProperty("Miner").GetUInt64(),
                        Number = d.GetProperty("Number").GetUInt64(),
                        SectorFileType = d.GetProperty("SectorFileType").GetInt32(),
                        Types = ((SectorFileType)d.GetProperty("SectorFileType").GetInt32()).Describe(),
                    }).ToArray(),
                }));
            }

            // lotus's order: largest filesystem first.
            paths = [.. paths
                .OrderByDescending(p => p.GetProperty("Stat").ValueKind == JsonValueKind.Object ? p.GetProperty("Stat").GetProperty("Capacity").GetInt64() : -1)
                .ThenBy(p => p.GetProperty("ID").GetString(), StringComparer.Ordinal)];
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(paths, Indented));
                return;
            }

            if (paths.Count == 0)
            {
                Console.WriteLine("no storage paths; attach one with `granary storage attach --init --seal|--store PATH`");
                return;
            }

            foreach (var p in paths)
            {
                Console.Write(Describe(p));
            }
        });
        return command;
    }

    private static Command Find()
    {
        var sector = new Argument<string>("SECTOR") { Description = "The sector as lotus names its files, e.g. s-t01000-5" };
        var json = CliOptions.Json();
        var command = new Command("find", "Find where a sector's files are (unsealed, sealed, cache)") { sector, json };
        command.SetAction(async r =>
        {
            if (!SectorId.TryParse(r.GetValue(sector), out var id))
            {
                throw new CliError($"'{r.GetValue(sector)}' is not a sector name (s-t0MINER-NUMBER, e.g. s-t01000-5)", 2);
            }

            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var found = await client.CallAsync("Filecoin.StorageFindSector", new { id.Miner, id.Number }, (int)SectorFileTypes.All, 0, false);
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(found, Indented));
                return;
            }

            if (found.GetArrayLength() == 0)
            {
                Console.WriteLine($"{id}: not in the sector index");
                return;
            }

            foreach (var location in found.EnumerateArray())
            {
                var urls = location.GetProperty("URLs").EnumerateArray().Select(u => u.GetString()!).ToList();
                var types = string.Join(", ", urls.Select(u => u.Split('/')[^2]));
                Console.WriteLine($"In {location.GetProperty("ID").GetString()} on {location.GetProperty("Silo").GetString()} ({types})"
                    + $"{(location.GetProperty("Primary").GetBoolean() ? " primary" : "")}{(location.GetProperty("Available").GetBoolean() ? "" : " UNREACHABLE")}");
                foreach (var url in urls)
                {
                    Console.WriteLine($"\tURL: {url}");
                }
            }
        });
        return command;
    }

    private static string Describe(JsonElement p)
    {
        var text = new StringBuilder();
        text.AppendLine($"{p.GetProperty("ID").GetString()}:");
        var reachable = p.GetProperty("Reachable").GetBoolean();
        var error = p.GetProperty("HeartbeatErr").ValueKind == JsonValueKind.String ? p.GetProperty("HeartbeatErr").GetString() : null;
        text.AppendLine($"\tSilo: {p.GetProperty("Silo").GetString()}{(reachable ? "" : error is null ? " (UNREACHABLE: no heartbeat)" : $" (UNREACHABLE: {error})")}");
        if (p.GetProperty("Stat") is { ValueKind: JsonValueKind.Object } stat)
        {
            var capacity = stat.GetProperty("Capacity").GetInt64();
            var fsAvailable = stat.GetProperty("FSAvailable").GetInt64();
            var reserved = stat.GetProperty("Reserved").GetInt64();
            var used = capacity - fsAvailable;
            const int bar = 50;
            var set = capacity > 0 ? (int)(used * bar / capacity) : 0;
            var reservedCols = capacity > 0 ? (int)Math.Min(set, reserved * bar / capacity) : 0;
            text.AppendLine($"\t[{new string('#', set - reservedCols)}{new string('*', reservedCols)}{new string(' ', Math.Max(0, bar - set))}] "
                + $"{StorageSize.Format(used)}/{StorageSize.Format(capacity)} {(capacity > 0 ? used * 100 / capacity : 0)}%");
            var max = stat.GetProperty("Max").GetInt64();
            text.AppendLine($"\tCapacity: {StorageSize.Format(capacity)}; Used: {StorageSize.Format(stat.GetProperty("Used").GetInt64())}"
                + $"{(max > 0 ? $" of {StorageSize.Format(max)} (limit)" : "")}; Available: {StorageSize.Format(stat.GetProperty("Available").GetInt64())}; "
                + $"Reserved: {StorageSize.Format(reserved)}");
        }
        else
        {
            text.AppendLine("\tCapacity: not reported yet");
        }

        var sectors = p.GetProperty("Sectors").EnumerateArray().ToList();
        int Count(SectorFileType t) => sectors.Count(s => ((SectorFileType)s.GetProperty("SectorFileType").GetInt32()).HasFlag(t));
        text.AppendLine($"\tUnsealed: {Count(SectorFileType.Unsealed)}; Sealed: {Count(SectorFileType.Sealed)}; Caches: {Count(SectorFileType.Cache)}");
        var canSeal = p.GetProperty("CanSeal").GetBoolean();
        var canStore = p.GetProperty("CanStore").GetBoolean();
        text.AppendLine(canSeal || canStore
            ? $"\tWeight: {p.GetProperty("Weight").GetUInt64()}; Use: {(canSeal ? "Seal " : "")}{(canStore ? "Store" : "")}".TrimEnd()
            : "\tUse: ReadOnly");
        text.AppendLine($"\tLocal: {p.GetProperty("LocalPath").GetString()}");
        foreach (var url in p.GetProperty("URLs").EnumerateArray())
        {
            text.AppendLine($"\tURL: {url.GetString()}");
        }

        const int shown = 20;
        if (sectors.Count > 0)
        {
            var names = sectors.Take(shown).Select(s => $"{s.GetProperty("Sector").GetString()} ({s.GetProperty("Types").GetString()})");
            text.AppendLine($"\tSectors: {string.Join(", ", names)}{(sectors.Count > shown ? $", and {sectors.Count - shown} more (--json lists all)" : "")}");
        }

        text.AppendLine();
        return text.ToString();
    }

    private static string Expand(string path) => path.StartsWith("~/", StringComparison.Ordinal)
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
        : path;
}
