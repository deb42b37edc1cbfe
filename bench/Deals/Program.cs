// ./bench.sh deals: one JSON object per line, the summary last.
//   --piece-mib N   size of the padded piece (default 1024: a 1 GiB piece, 1016 MiB of payload)
//   --runs N        timed downloads per server (default 3; the median is reported)
// Each half returns its summary keys; the summary line merges them. The proposals half (proposals_per_s_sqlite,
// proposals_per_s_postgres) is not here yet: add it as another part returning its keys.
using System.Text.Json;
using Granary.Bench.Deals;

var pieceMiB = Option("--piece-mib", 1024);
var runs = Option("--runs", 3);
var summary = new SortedDictionary<string, object> { ["summary"] = true };
foreach (var (key, value) in await RetrievalBench.RunAsync(pieceMiB, runs, Emit))
{
    summary[key] = value;
}

Emit(summary);

long Option(string name, long fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? long.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}

static void Emit(object line) => Console.WriteLine(JsonSerializer.Serialize(line));
