// ./bench.sh deals: one JSON object per line, the summary last.
//   --piece-mib N   size of the padded piece (default 1024: a 1 GiB piece, 1016 MiB of payload)
//   --runs N        timed downloads per server (default 3; the median is reported)
//   --proposals N   timed deal proposals per database (default 5000; 0 skips the proposals half)
//   --streams N     proposal streams in flight on the one libp2p connection (default 64)
//   --databases LIST  what the proposals half runs on, of sqlite, sqlite-normal, postgres (default all three);
//                     sqlite-normal is SQLite with synchronous=NORMAL for grain writes, for comparison only
//   GRANARY_BENCH_STORAGE_TIMES=1  also print the count and time of every grain storage call
//   --skip-retrieval  only the proposals half
// Each half returns its summary keys; the summary line merges them: proposals_per_s_sqlite, proposals_per_s_postgres
// (PostgreSQL from GRANARY_TEST_POSTGRES: source tests/setup/10-postgres.sh), retrieval_mib_s, nginx_mib_s, retrieval_vs_nginx.
using System.Text.Json;
using Granary.Bench.Deals;

var pieceMiB = Option("--piece-mib", 1024);
var runs = Option("--runs", 3);
var proposals = Option("--proposals", 5000);
var streams = Option("--streams", 64);
var summary = new SortedDictionary<string, object> { ["summary"] = true };
if (proposals > 0)
{
    var at = Array.IndexOf(args, "--databases");
    var databases = at >= 0 && at + 1 < args.Length ? args[at + 1].Split(',') : ["sqlite", "sqlite-normal", "postgres"];
    foreach (var (key, value) in await ProposalBench.RunAsync(databases, proposals, streams, Emit))
    {
        summary[key] = value;
    }
}

if (!args.Contains("--skip-retrieval"))
{
    foreach (var (key, value) in await RetrievalBench.RunAsync(pieceMiB, runs, Emit))
    {
        summary[key] = value;
    }
}

Emit(summary);

long Option(string name, long fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? long.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}

static void Emit(object line) => Console.WriteLine(JsonSerializer.Serialize(line));
