using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Chain;
using Granary.Filecoin.Addresses;
using Granary.Grains.Deals;
using Granary.Grains.Metrics;
using Granary.Silo.Chain;
using Granary.Silo.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Web;

/// <summary>
/// The JSON behind each web UI page (<c>/ui/api/NAME.json</c>), put together from the silo's own API methods
/// (<see cref="LocalApi"/>) and, for balances and the head, the chain. Each part that fails is reported under
/// <c>errors</c> with its one-line reason and the rest of the page still shows.
/// </summary>
public sealed partial class OperatorViews(LocalApi api, IChainNode chain, SiloIdentity identity, ILogger<OperatorViews> logger)
{
    /// <summary>Most sectors the sealing page lists (the newest).</summary>
    public const int MaxSectorsListed = 200;

    /// <summary>Most deals the deals page lists after filtering (the newest).</summary>
    public const int MaxDealsListed = 200;

    /// <summary>Most transferring deals whose bytes received are read for one deals page.</summary>
    public const int MaxTransfersRead = 20;

    private const int Parallel = 16;

    /// <summary>The page names served as <c>/ui/api/NAME.json</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["overview", "sealing", "sector", "deals", "deal", "storage", "cluster"];

    /// <summary>Builds the JSON of page <paramref name="name"/>; null when there is no such page.</summary>
    /// <exception cref="ArgumentException">A query parameter the page needs is missing or malformed.</exception>
    public Task<JsonObject>? BuildAsync(string name, Func<string, string?> query, CancellationToken ct) => name switch
    {
        "overview" => OverviewAsync(ct),
        "sealing" => SealingAsync(ct),
        "sector" => SectorAsync(Number(query("id"), "id"), ct),
        "deals" => DealsAsync(query("checkpoint"), ct),
        "deal" => DealAsync(Uuid(query("uuid")), ct),
        "storage" => StorageAsync(ct),
        "cluster" => ClusterAsync(ct),
        _ => null,
    };

    private async Task<JsonObject> OverviewAsync(CancellationToken ct)
    {
        var miner = MinerFile.Read(identity.Repo.Root);
        var page = await PageAsync(ct,
            ("actor", () => Api("ActorInfo", ct, false)),
            ("proving", () => Api("ProvingInfo", ct)),
            ("deadlines", () => Api("ProvingDeadlines", ct)),
            ("faults", () => Api("ProvingFaults", ct)),
            ("sectors", () => Api("SectorsSummary", ct)),
            ("deals", async () => Counts(await DealRowsAsync(ct), "Checkpoint", Enum.GetNames<DealCheckpoint>())),
            ("balances", () => BalancesAsync(miner, ct)),
            ("head", () => HeadAsync(ct)));
        page["miner"] = miner is null ? null : new JsonObject
        {
            ["Miner"] = miner.Miner,
            ["Owner"] = miner.Owner,
            ["Worker"] = miner.Worker,
            ["SectorSize"] = miner.SectorSize,
        };
        page["alerts"] = Alerts(page, miner);
        return page;
    }

    private async Task<JsonObject> SealingAsync(CancellationToken ct)
    {
        var page = await PageAsync(ct,
            ("summary", () => Api("SectorsSummary", ct)),
            ("sectors", () => SectorListAsync(ct)),
            ("jobs", () => Api("WorkerJobs", ct)));
        page["failedStates"] = new JsonArray([.. Enum.GetValues<Grains.Sectors.SectorState>()
            .Where(s => Grains.Sectors.SectorStates.IsFailure(s)).Select(s => (JsonNode?)JsonValue.Create(s.ToString()))]);
        return page;
    }

    private Task<JsonObject> SectorAsync(ulong number, CancellationToken ct) =>
        PageAsync(ct, ("sector", () => Api("SectorsStatus", ct, number, true)));

    private async Task<JsonObject> DealsAsync(string? checkpoint, CancellationToken ct)
    {
        JsonArray? rows = null;
        var page = await PageAsync(ct, ("list", async () =>
        {
            var list = await api.CallAsync("MarketListDeals", ct, 0, DealMethods.MaxListed);
            var node = JsonNode.Parse(list.GetRawText())!.AsObject();
            rows = node["Deals"]!.AsArray();
            node.Remove("Deals");
            return node;
        }));
        var names = Enum.GetNames<DealCheckpoint>();
        page["checkpoints"] = new JsonArray([.. names.Select(n => (JsonNode?)JsonValue.Create(n))]);
        page["refusals"] = new JsonArray([.. GranaryMetrics.RecentRefusals.Reverse().Select(r => (JsonNode?)new JsonObject
        {
            ["At"] = r.At,
            ["Reason"] = r.Reason,
            ["Message"] = r.Message,
        })]);
        if (rows is null)
        {
            return page;
        }

        page["counts"] = Counts(rows, "Checkpoint", names);
        var shown = rows.Where(r => string.IsNullOrEmpty(checkpoint) || (string?)r!["Checkpoint"] == checkpoint).Take(MaxDealsListed)
            .Select(r => r!.DeepClone().AsObject()).ToList();
        // Bytes received so far for transfers under way (an online deal waiting at Accepted).
        var transferring = shown.Where(r => (string?)r["Checkpoint"] == nameof(DealCheckpoint.Accepted) && r["IsOffline"]?.GetValue<bool>() == false)
            .Take(MaxTransfersRead).ToList();
        await System.Threading.Tasks.Parallel.ForEachAsync(transferring, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = ct },
            async (row, token) =>
            {
                try
                {
                    var status = await api.CallAsync("MarketDealStatus", token, (string)row["DealUuid"]!);
                    row["NBytesReceived"] = status.GetProperty("NBytesReceived").GetUInt64();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    row["ProgressError"] = e.Message;
                }
            });
        page["deals"] = new JsonArray([.. shown]);
        page["filter"] = checkpoint ?? "";
        return page;
    }

    private Task<JsonObject> DealAsync(Guid uuid, CancellationToken ct) =>
        PageAsync(ct, ("deal", () => Api("MarketDealStatus", ct, uuid.ToString())));

    private async Task<JsonObject> StorageAsync(CancellationToken ct)
    {
        return await PageAsync(ct, ("paths", async () =>
        {
            var list = await api.CallAsync("StorageList", ct);
            var paths = list.EnumerateObject().Select(p => (Id: p.Name, Sectors: p.Value.GetArrayLength())).ToList();
            var result = new JsonObject[paths.Count];
            await System.Threading.Tasks.Parallel.ForEachAsync(Enumerable.Range(0, paths.Count),
                new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = ct }, async (i, token) =>
                {
                    var row = new JsonObject { ["ID"] = paths[i].Id, ["Sectors"] = paths[i].Sectors };
                    row["Info"] = await PartAsync(row, "InfoError", () => Api("StorageInfo", token, paths[i].Id));
                    row["Stat"] = await PartAsync(row, "StatError", () => Api("StorageStat", token, paths[i].Id));
                    result[i] = row;
                });
            return new JsonArray([.. result]);
        }));
    }

    private Task<JsonObject> ClusterAsync(CancellationToken ct)
    {
        return PageAsync(ct,
            ("members", () => Api("ClusterMembers", ct)),
            ("subsystems", () => Api("RuntimeSubsystems", ct)),
            ("workers", () => Api("WorkerStats", ct)),
            ("history", () => Api("ClusterHistory", ct)),
            ("self", () => Task.FromResult<JsonNode?>(new JsonObject
            {
                ["Silo"] = identity.SiloName,
                ["Version"] = SiloIdentity.Version,
                ["Database"] = identity.Database.KindName,
                ["Chain"] = identity.Config.Chain.Embedded ? "embedded devnet" : "remote node",
            })));
    }

    private async Task<JsonNode?> SectorListAsync(CancellationToken ct)
    {
        var numbers = (await api.CallAsync("SectorsList", ct)).EnumerateArray().Select(e => e.GetUInt64()).OrderDescending().ToList();
        var shown = numbers.Take(MaxSectorsListed).ToList();
        var rows = new JsonObject?[shown.Count];
        await System.Threading.Tasks.Parallel.ForEachAsync(Enumerable.Range(0, shown.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = ct }, async (i, token) =>
            {
                try
                {
                    var s = JsonNode.Parse((await api.CallAsync("SectorsStatus", token, shown[i])).GetRawText())!.AsObject();
                    var log = s["Log"]?.AsArray();
                    var last = log is { Count: > 0 } ? log[^1] : null;
                    var row = new JsonObject();
                    foreach (var key in new[] { "SectorID", "State", "Stage", "Progress", "Retries", "LastErr", "RetryAt", "Created", "Silo", "Deals", "FaultReason", "Restarts" })
                    {
                        row[key] = s[key]?.DeepClone();
                    }

                    row["Since"] = last?["Time"]?.DeepClone();
                    rows[i] = row;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    rows[i] = new JsonObject { ["SectorID"] = shown[i], ["State"] = "?", ["LastErr"] = e.Message };
                }
            });
        return new JsonObject { ["Total"] = numbers.Count, ["Sectors"] = new JsonArray([.. rows]) };
    }

    private async Task<JsonArray> DealRowsAsync(CancellationToken ct)
    {
        var list = await api.CallAsync("MarketListDeals", ct, 0, DealMethods.MaxListed);
        return JsonNode.Parse(list.GetProperty("Deals").GetRawText())!.AsArray();
    }

    private async Task<JsonNode?> BalancesAsync(MinerFile? miner, CancellationToken ct)
    {
        if (miner is null)
        {
            throw new InvalidOperationException($"this silo's repo {identity.Repo.Root} has no miner: run `granary init` (with the silo stopped)");
        }

        var address = Address.Parse(miner.Miner);
        var actor = chain.WalletBalance(address, ct);
        var owner = chain.WalletBalance(Address.Parse(miner.Owner), ct);
        var worker = chain.WalletBalance(Address.Parse(miner.Worker), ct);
        var market = chain.StateMarketBalance(address, null, ct);
        return new JsonObject
        {
            ["Miner"] = (await actor).AttoFil.ToString(CultureInfo.InvariantCulture),
            ["Owner"] = (await owner).AttoFil.ToString(CultureInfo.InvariantCulture),
            ["Worker"] = (await worker).AttoFil.ToString(CultureInfo.InvariantCulture),
            ["MarketEscrow"] = (await market).Escrow.AttoFil.ToString(CultureInfo.InvariantCulture),
            ["MarketLocked"] = (await market).Locked.AttoFil.ToString(CultureInfo.InvariantCulture),
        };
    }

    private async Task<JsonNode?> HeadAsync(CancellationToken ct)
    {
        var head = await chain.ChainHead(ct);
        var at = DateTimeOffset.FromUnixTimeSeconds((long)head.Timestamp);
        return new JsonObject
        {
            ["Height"] = head.Height,
            ["Timestamp"] = at,
            ["LagSeconds"] = Math.Round(Math.Max(0, (DateTimeOffset.UtcNow - at).TotalSeconds), 1),
            ["BlockDelaySeconds"] = BlockDelaySeconds,
        };
    }

    private int BlockDelaySeconds => identity.Config.Chain.Embedded ? identity.Config.Chain.DevnetBlockDelaySeconds : 30;

    // What an operator should look at first, worst first.
    private JsonArray Alerts(JsonObject page, MinerFile? miner)
    {
        var alerts = new List<(string Level, string Text)>();
        if (miner is null)
        {
            alerts.Add(("error", "this silo's repo has no miner: stop the silo and run `granary init`"));
        }

        if (page["faults"] is JsonArray { Count: > 0 } faults)
        {
            alerts.Add(("error", $"{faults.Count} faulty sector(s): see `granary proving faults`"));
        }

        if (page["sectors"] is JsonObject summary)
        {
            var failed = summary.Where(kv => kv.Key.EndsWith("Failed", StringComparison.Ordinal)).Sum(kv => kv.Value?.GetValue<int>() ?? 0);
            if (failed > 0)
            {
                alerts.Add(("warn", $"{failed} sector(s) in a failed state: retry them on the Sealing page"));
            }
        }

        if (page["head"] is JsonObject head && head["LagSeconds"]?.GetValue<double>() is { } lag && lag > 3 * BlockDelaySeconds)
        {
            alerts.Add(("warn", $"the chain head is {lag:0} s behind the wall clock"));
        }

        if (page["actor"] is JsonObject actor && actor["Pending"] is JsonArray { Count: > 0 } pending)
        {
            alerts.Add(("info", $"{pending.Count} miner message(s) waiting to land"));
        }

        if (page["errors"] is JsonObject errors && miner is not null)
        {
            alerts.AddRange(errors.Select(kv => ("warn", $"{kv.Key}: {kv.Value}")));
        }

        return new JsonArray([.. alerts.Select(a => (JsonNode?)new JsonObject { ["Level"] = a.Level, ["Text"] = a.Text })]);
    }

    private static JsonObject Counts(JsonArray rows, string field, IEnumerable<string> known)
    {
        var counts = known.ToDictionary(k => k, _ => 0, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var key = (string?)row?[field] ?? "?";
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return new JsonObject([.. counts.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]);
    }

    private async Task<JsonNode?> Api(string method, CancellationToken ct, params object?[] args) =>
        JsonNode.Parse((await api.CallAsync(method, ct, args)).GetRawText());

    private async Task<JsonObject> PageAsync(CancellationToken ct, params (string Key, Func<Task<JsonNode?>> Load)[] parts)
    {
        var results = await Task.WhenAll(parts.Select(async p =>
        {
            try
            {
                return (p.Key, Value: await p.Load(), Error: (string?)null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogPartFailed(p.Key, e.Message);
                return (p.Key, Value: (JsonNode?)null, Error: OneLine(e));
            }
        }));
        var page = new JsonObject { ["silo"] = identity.SiloName, ["now"] = DateTimeOffset.UtcNow };
        var errors = new JsonObject();
        foreach (var (key, value, error) in results)
        {
            page[key] = value;
            if (error is not null)
            {
                errors[key] = error;
            }
        }

        page["errors"] = errors;
        return page;
    }

    private async Task<JsonNode?> PartAsync(JsonObject row, string errorKey, Func<Task<JsonNode?>> load)
    {
        try
        {
            return await load();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            row[errorKey] = OneLine(e);
            return null;
        }
    }

    private static string OneLine(Exception e)
    {
        var message = e is AggregateException { InnerException: { } inner } ? inner.Message : e.Message;
        var newline = message.IndexOfAny(['\r', '\n']);
        return newline >= 0 ? message[..newline] : message;
    }

    private static ulong Number(string? text, string name) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw new ArgumentException($"'{name}' must be a sector number, not '{text}'");

    private static Guid Uuid(string? text) =>
        Guid.TryParseExact(text, "D", out var g) ? g : throw new ArgumentException($"'uuid' must be a deal UUID, not '{text}'");

    [LoggerMessage(Level = LogLevel.Debug, Message = "web UI: {Part} could not be read: {Reason}")]
    private partial void LogPartFailed(string part, string reason);
}
