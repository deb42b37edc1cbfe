using System.CommandLine;
using Granary.Silo.Repo;

namespace Granary.Silo.Cli;

/// <summary>Which side of a split miner a CLI command talks to.</summary>
public enum ApiSide
{
    /// <summary>The mining/sealing/proving silo (lotus-miner's "miner" node).</summary>
    Miner,

    /// <summary>The markets gateway (lotus-miner's "markets" node).</summary>
    Markets,
}

/// <summary>
/// The one place CLI commands choose their silo, as lotus-miner does after a split: <c>storage-deals</c>, <c>net</c> and
/// <c>pieces</c> go to the markets side; <c>sectors</c>, <c>proving</c>, <c>storage</c>, <c>actor</c> and <c>sealing</c>
/// to the miner side; the rest (<c>info</c>, <c>auth</c>) default to the miner side and <c>--call-on-markets</c> sends
/// them to the gateway. A side's endpoint is, in order: its <c>TOKEN:MULTIADDR</c> variable (<c>MINER_API_INFO</c>,
/// <c>MARKETS_API_INFO</c>), its repo variable (<c>GRANARY_MINER_PATH</c>, <c>GRANARY_MARKETS_PATH</c>), for the
/// markets side then the miner side's (a monolith serves both), and last <c>--repo</c> / <c>GRANARY_PATH</c>.
/// </summary>
public static class ApiTarget
{
    /// <summary>The markets side's <c>TOKEN:MULTIADDR</c> variable.</summary>
    public const string MarketsVariable = "MARKETS_API_INFO";

    /// <summary>The miner side's repo variable.</summary>
    public const string MinerPathVariable = "GRANARY_MINER_PATH";

    /// <summary>The markets side's repo variable.</summary>
    public const string MarketsPathVariable = "GRANARY_MARKETS_PATH";

    /// <summary><c>--call-on-markets</c>: send a command both sides answer to the markets gateway.</summary>
    public static readonly Option<bool> CallOnMarkets = new("--call-on-markets")
    {
        Description = "Send the command to the markets gateway (MARKETS_API_INFO / GRANARY_MARKETS_PATH) instead of the miner",
        Recursive = true,
    };

    private static readonly Dictionary<string, ApiSide> Fixed = new(StringComparer.Ordinal)
    {
        ["storage-deals"] = ApiSide.Markets,
        ["net"] = ApiSide.Markets,
        ["pieces"] = ApiSide.Markets,
        ["sectors"] = ApiSide.Miner,
        ["proving"] = ApiSide.Miner,
        ["storage"] = ApiSide.Miner,
        ["actor"] = ApiSide.Miner,
        ["sealing"] = ApiSide.Miner,
    };

    private static readonly AsyncLocal<ApiSide?> Chosen = new();

    /// <summary>The side of the command being run (the miner side until <see cref="Choose"/>).</summary>
    public static ApiSide Current => Chosen.Value ?? ApiSide.Miner;

    /// <summary>The side a top-level verb belongs to, or null when both sides answer it.</summary>
    public static ApiSide? SideOf(string verb) => Fixed.TryGetValue(verb, out var side) ? side : null;

    /// <summary>Picks the side for a parsed command line: its verb's fixed side, else <c>--call-on-markets</c>.</summary>
    public static ApiSide Choose(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var command = parse.CommandResult;
        string? verb = null;
        for (var c = command; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (c.Parent is System.CommandLine.Parsing.CommandResult { Parent: null })
            {
                verb = c.Command.Name;
            }
        }

        var side = (verb is null ? null : SideOf(verb)) ?? (parse.GetValue(CallOnMarkets) ? ApiSide.Markets : ApiSide.Miner);
        Chosen.Value = side;
        return side;
    }

    /// <summary>The endpoint of the current command's side.</summary>
    /// <exception cref="CliError">None is configured or running.</exception>
    public static ApiInfo Resolve(string? repoOption) => Resolve(Current, repoOption);

    /// <summary>The endpoint of <paramref name="side"/>.</summary>
    /// <exception cref="CliError">None is configured or running.</exception>
    public static ApiInfo Resolve(ApiSide side, string? repoOption) => Describe(side, repoOption).Info;

    /// <summary>The endpoint of <paramref name="side"/> and where it came from (for <c>granary info</c>).</summary>
    /// <exception cref="CliError">None is configured or running.</exception>
    public static (ApiInfo Info, string Source) Describe(ApiSide side, string? repoOption)
    {
        if (side == ApiSide.Markets)
        {
            if (Variable(MarketsVariable) is { } markets)
            {
                return (ApiInfo.Parse(markets, MarketsVariable), MarketsVariable);
            }

            if (Variable(MarketsPathVariable) is { } marketsRepo)
            {
                return (FromRepo(GranaryRepo.ResolvePath(marketsRepo), $"{MarketsPathVariable} names {{0}}"), MarketsPathVariable);
            }
        }

        if (Variable(ApiInfo.MinerVariable) is { } miner)
        {
            return (ApiInfo.Parse(miner, ApiInfo.MinerVariable), ApiInfo.MinerVariable);
        }

        if (Variable(MinerPathVariable) is { } minerRepo)
        {
            return (FromRepo(GranaryRepo.ResolvePath(minerRepo), $"{MinerPathVariable} names {{0}}"), MinerPathVariable);
        }

        var root = GranaryRepo.ResolvePath(repoOption);
        return (FromRepo(root, "{0}"), $"repo {root}");
    }

    private static string? Variable(string name) =>
        Environment.GetEnvironmentVariable(name) is { } value && value.Trim() is { Length: > 0 } trimmed ? trimmed : null;

    private static ApiInfo FromRepo(string root, string what)
    {
        var api = Path.Combine(root, "api");
        var token = Path.Combine(root, "token");
        if (!File.Exists(api) || !File.Exists(token))
        {
            throw new CliError($"no running silo found: {string.Format(System.Globalization.CultureInfo.InvariantCulture, what, root)}, which has no api/token files "
                + $"(start one with `granary run --repo {root}`, or set {ApiInfo.MinerVariable} / {MarketsVariable})");
        }

        return new ApiInfo(System.Text.Encoding.ASCII.GetString(SecretFile.Read(token)).Trim(), File.ReadAllText(api).Trim());
    }
}
