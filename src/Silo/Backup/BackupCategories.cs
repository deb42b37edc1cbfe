namespace Granary.Silo.Backup;

/// <summary>The header categories.</summary>
public static class BackupCategories
{
    /// <summary><c>miner.json</c> and the miner grain.</summary>
    public const string Miner = "miner";

    /// <summary>The keystore files (owner and worker keys, libp2p identity, API secret).</summary>
    public const string Keys = "keys";

    /// <summary>Sector grains (state and its history), batchers, sector numbering.</summary>
    public const string Sectors = "sectors";

    /// <summary>WindowPoSt deadline grains.</summary>
    public const string Proving = "proving";

    /// <summary>Deal grains, the deal directory and its list pages.</summary>
    public const string Deals = "deals";

    /// <summary>The storage ask.</summary>
    public const string Asks = "asks";

    /// <summary>The piece directory grains.</summary>
    public const string Pieces = "pieces";

    /// <summary>Rows of the piece block index (<c>GranaryPieceBlocks</c>).</summary>
    public const string Blocks = "blocks";

    /// <summary><c>storage.json</c> (the attached paths) and the sector index grain.</summary>
    public const string Storage = "storage";

    /// <summary>Orleans reminders.</summary>
    public const string Reminders = "reminders";

    /// <summary><c>config.toml</c>.</summary>
    public const string Config = "config";

    /// <summary>Chunks of the embedded devnet's database (<c>devnet.db</c>).</summary>
    public const string Chain = "chain";

    /// <summary>Every other grain state.</summary>
    public const string Other = "other";

    /// <summary>The categories a markets export holds.</summary>
    public static readonly IReadOnlySet<string> Markets = new HashSet<string>(StringComparer.Ordinal) { Deals, Asks, Pieces, Blocks, Reminders };

    /// <summary>The category of a grain-state row by its state name (Orleans' <c>GrainTypeString</c>).</summary>
    public static string OfState(string stateName) => stateName switch
    {
        "miner" => Miner,
        "sector" or "precommit-batch" or "commit-batch" or "sector-numbers" => Sectors,
        "deadline" => Proving,
        "deal" or "deal-directory" or "deal-list-page" => Deals,
        "storage-ask" => Asks,
        "piece" => Pieces,
        "sector-index" => Storage,
        _ => Other,
    };

    /// <summary>Whether a reminder belongs to deal metadata: its grain is a deal grain (<c>deal/…</c>).</summary>
    public static bool IsMarketsReminder(string grainId) => grainId.StartsWith("deal/", StringComparison.Ordinal);
}
