using System.CommandLine;
using System.Text.Json;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary pieces list|info CID|reindex CID</c> (lotus-miner's <c>pieces</c> and <c>dagstore</c> commands): the piece
/// directory of the markets side — each piece's deals, sectors and block index — and rebuilding one piece's index.
/// </summary>
internal static class PiecesCommand
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var command = new Command("pieces", "The piece directory (the DAG store's role) on the markets side: pieces, their deals, sectors and block index");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Info());
        command.Subcommands.Add(Reindex());
        return command;
    }

    private static Command List()
    {
        var json = CliOptions.Json();
        var verb = new Command("list", "List the pieces of the miner's deals: size, deals, sectors, index state and blocks; and the start-up index rebuild's progress") { json };
        verb.SetAction(async r =>
        {
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var result = await client.CallAsync("Filecoin.PiecesList");
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(result, Indented));
                return;
            }

            var rebuild = result.GetProperty("Rebuild");
            Console.WriteLine($"Index rebuild: {rebuild.GetProperty("State").GetString()} ({rebuild.GetProperty("Done").GetInt32()}/{rebuild.GetProperty("Pieces").GetInt32()} rebuilt, "
                + $"{rebuild.GetProperty("Failed").GetInt32()} failed, {rebuild.GetProperty("Checked").GetInt32()} checked)");
            Console.WriteLine($"{"PIECE CID",-66} {"SIZE",9} {"DEALS",5} {"SECTORS",-16} {"INDEX",-9} BLOCKS");
            foreach (var p in result.GetProperty("Pieces").EnumerateArray())
            {
                var sectors = p.GetProperty("Sectors").EnumerateArray().Select(s => s.GetProperty("Sector").GetString()).ToArray();
                var index = p.GetProperty("Index");
                var state = p.GetProperty("NeedsRebuild").GetBoolean() ? "Missing" : index.GetProperty("State").GetString();
                Console.WriteLine($"{p.GetProperty("PieceCid").GetString(),-66} {p.GetProperty("PieceSize").GetInt64(),9} {p.GetProperty("Deals").GetArrayLength(),5} "
                    + $"{(sectors.Length == 0 ? "-" : string.Join(",", sectors)),-16} {state,-9} {p.GetProperty("StoredBlocks").GetInt64()}");
            }
        });
        return verb;
    }

    private static Command Info()
    {
        var json = CliOptions.Json();
        var cid = PieceArgument();
        var verb = new Command("info", "Show one piece: sizes, its deals and their checkpoints, sectors, staged copy and block index") { cid, json };
        verb.SetAction(async r =>
        {
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var p = await client.CallAsync("Filecoin.PiecesInfo", [r.GetValue(cid)!]);
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(p, Indented));
                return;
            }

            var index = p.GetProperty("Index");
            var staged = p.GetProperty("Staged");
            Console.WriteLine($"Piece CID:     {p.GetProperty("PieceCid").GetString()}");
            Console.WriteLine($"Piece size:    {p.GetProperty("PieceSize").GetInt64()} (payload {p.GetProperty("PayloadSize").GetInt64()} bytes)");
            Console.WriteLine($"Staged:        {(staged.ValueKind == JsonValueKind.Object ? $"{staged.GetProperty("Path").GetString()} on {staged.GetProperty("Silo").GetString()}" : "no")}");
            Console.WriteLine($"Index:         {index.GetProperty("State").GetString()}, {index.GetProperty("Blocks").GetInt64()} blocks recorded, "
                + $"{p.GetProperty("StoredBlocks").GetInt64()} stored{(p.GetProperty("NeedsRebuild").GetBoolean() ? " (missing: run `granary pieces reindex`)" : "")}"
                + $"{(index.GetProperty("Error").GetString() is { Length: > 0 } error ? $"; {error}" : "")}");
            Console.WriteLine($"Roots:         {string.Join(" ", index.GetProperty("Roots").EnumerateArray().Select(x => x.GetString()))}");
            Console.WriteLine("Deals:");
            foreach (var d in p.GetProperty("Deals").EnumerateArray())
            {
                Console.WriteLine($"  {d.GetProperty("DealUuid").GetString()}  chain deal {d.GetProperty("ChainDealId").GetUInt64()}  {d.GetProperty("Checkpoint").GetString()}"
                    + $"{(d.GetProperty("IsOffline").GetBoolean() ? "  offline" : "")}");
            }

            Console.WriteLine("Sectors:");
            foreach (var s in p.GetProperty("Sectors").EnumerateArray())
            {
                Console.WriteLine($"  {s.GetProperty("Sector").GetString()}  offset {s.GetProperty("Offset").GetInt64()}  length {s.GetProperty("Length").GetInt64()}");
            }
        });
        return verb;
    }

    private static Command Reindex()
    {
        var json = CliOptions.Json();
        var cid = PieceArgument();
        var verb = new Command("reindex", "Rebuild a piece's block index from its staged or unsealed copy (replaces the old index)") { cid, json };
        verb.SetAction(async r =>
        {
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var result = await client.CallAsync("Filecoin.PiecesReindex", [r.GetValue(cid)!]);
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(result, Indented));
                return;
            }

            var index = result.GetProperty("Index");
            var state = index.GetProperty("State").GetString();
            if (state != "Indexed")
            {
                throw new CliError($"piece {result.GetProperty("PieceCid").GetString()} was not indexed: {index.GetProperty("Error").GetString()}");
            }

            Console.WriteLine($"piece {result.GetProperty("PieceCid").GetString()} indexed: {result.GetProperty("StoredBlocks").GetInt64()} blocks");
        });
        return verb;
    }

    private static Argument<string> PieceArgument() => new("CID") { Description = "The piece CID (v1 baga6ea4seaq… or v2 bafkzcib…)" };
}
