using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Granary.Filecoin.Tokens;
using Granary.Grains.Deals;
using Granary.Grains.Sealing.Workers;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary storage-deals set-ask|get-ask|list|status</c> (and <c>import-data</c>, <see cref="StorageDealsImportCommand"/>),
/// as lotus-miner's: the miner's storage ask (prices per GiB per epoch and piece size limits, signed by the worker) and
/// the deals the cluster's gateways accepted, with Boost's checkpoints.
/// </summary>
internal static class StorageDealsCommand
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var command = new Command("storage-deals", "Manage storage deals and the storage ask");
        command.Subcommands.Add(SetAsk());
        command.Subcommands.Add(GetAsk());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Status());
        command.Subcommands.Add(StorageDealsImportCommand.Create());
        return command;
    }

    private static Command SetAsk()
    {
        var price = new Option<string>("--price") { Description = "Price for unverified deals, in FIL per GiB per epoch (e.g. 0.00000005)", Required = true };
        var verified = new Option<string>("--verified-price") { Description = "Price for verified deals, in FIL per GiB per epoch", Required = true };
        var min = new Option<string>("--min-piece-size") { Description = "Smallest padded piece accepted, e.g. 256B", DefaultValueFactory = _ => "256B" };
        var max = new Option<string>("--max-piece-size") { Description = "Largest padded piece accepted, e.g. 32GiB (0: the miner's sector size)", DefaultValueFactory = _ => "0" };
        var duration = new Option<long>("--duration")
        {
            Description = "Epochs the ask is valid for",
            DefaultValueFactory = _ => AskSettings.Default.Duration,
        };
        var command = new Command("set-ask", "Set the storage ask: prices and piece size limits deals are checked against") { price, verified, min, max, duration };
        command.SetAction(async r =>
        {
            var atto = Price(r.GetValue(price)!, "--price");
            var verifiedAtto = Price(r.GetValue(verified)!, "--verified-price");
            var minSize = Size(r.GetValue(min)!, "--min-piece-size");
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var maxSize = Size(r.GetValue(max)!, "--max-piece-size");
            if (maxSize == 0)
            {
                maxSize = (await client.CallAsync("Filecoin.ActorSectorSize")).GetInt64();
            }

            var signed = await client.CallAsync("Filecoin.MarketSetAsk", atto.ToString(CultureInfo.InvariantCulture),
                verifiedAtto.ToString(CultureInfo.InvariantCulture), r.GetValue(duration), minSize, maxSize);
            Console.WriteLine($"storage ask {signed.GetProperty("Ask").GetProperty("SeqNo").GetUInt64()} set");
            PrintAsk(signed);
        });
        return command;
    }

    private static Command GetAsk()
    {
        var json = CliOptions.Json();
        var command = new Command("get-ask", "Show the storage ask, signed by the worker") { json };
        command.SetAction(async r =>
        {
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var signed = await client.CallAsync("Filecoin.MarketGetAsk");
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(signed, Indented));
                return;
            }

            PrintAsk(signed);
        });
        return command;
    }

    private static Command List()
    {
        var json = CliOptions.Json();
        var limit = new Option<int>("--limit") { Description = "Most deals shown, newest first", DefaultValueFactory = _ => 1000 };
        var command = new Command("list", "List the deals every gateway of the cluster accepted, newest first") { json, limit };
        command.SetAction(async r =>
        {
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var result = await client.CallAsync("Filecoin.MarketListDeals", 0, r.GetValue(limit));
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(result, Indented));
                return;
            }

            var deals = result.GetProperty("Deals").EnumerateArray().ToList();
            if (deals.Count == 0)
            {
                Console.WriteLine("no deals");
                return;
            }

            string[] header = ["Creation", "DealUUID", "DealID", "Client", "Provider", "Size", "Price", "Duration", "Checkpoint"];
            var rows = deals.Select(d => new[]
            {
                d.GetProperty("CreatedAt").GetDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                d.GetProperty("DealUuid").GetString()!,
                d.GetProperty("ChainDealId").GetUInt64() is var id and > 0 ? id.ToString(CultureInfo.InvariantCulture) : "-",
                d.GetProperty("Client").GetString()!,
                d.GetProperty("Provider").GetString()!,
                ByteSize.Format(d.GetProperty("PieceSize").GetInt64()),
                new TokenAmount(BigInteger.Parse(d.GetProperty("PricePerEpoch").GetString()!, CultureInfo.InvariantCulture) * d.GetProperty("Duration").GetInt64()).ToString(),
                d.GetProperty("Duration").GetInt64().ToString(CultureInfo.InvariantCulture),
                Checkpoint(d),
            }).ToList();
            PrintTable(header, rows);
            Console.WriteLine($"{result.GetProperty("Total").GetInt64()} deals; {ByteSize.Format(result.GetProperty("StagingBytesReserved").GetInt64())} reserved in staging, "
                + $"{result.GetProperty("Transfers").GetInt32()} transfers");
            Console.WriteLine(result.GetProperty("SealingKnown").GetBoolean()
                ? $"sealing for deals: {result.GetProperty("SealingSectors").GetInt32()} sectors open or sealing, "
                    + $"{result.GetProperty("SectorsNeeded").GetInt32()} more needed by deals not yet in a sector (limit: [Dealmaking] MaxSealingSectorsForDeals)"
                : "sealing for deals: not known yet (no sealing silo has reported; no deal is refused on sealing capacity until one does)");
        });
        return command;
    }

    private static Command Status()
    {
        var uuid = new Argument<string>("UUID") { Description = "The deal UUID" };
        var json = CliOptions.Json();
        var command = new Command("status", "Show a deal: its proposal, checkpoint and history") { uuid, json };
        command.SetAction(async r =>
        {
            if (!Guid.TryParseExact(r.GetValue(uuid), "D", out var id))
            {
                throw new CliError($"'{r.GetValue(uuid)}' is not a deal UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", 2);
            }

            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var status = await client.CallAsync("Filecoin.MarketDealStatus", id.ToString());
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(status, Indented));
                return;
            }

            var d = status.GetProperty("Deal");
            Console.WriteLine($"Deal UUID:      {d.GetProperty("DealUuid").GetString()}");
            Console.WriteLine($"Checkpoint:     {Checkpoint(d)}");
            Console.WriteLine($"Created:        {d.GetProperty("CreatedAt").GetDateTimeOffset().ToLocalTime():yyyy-MM-dd HH:mm:ss} (gateway {d.GetProperty("Gateway").GetString()})");
            Console.WriteLine($"Client:         {d.GetProperty("Client").GetString()} (peer {status.GetProperty("ClientPeer").GetString()})");
            Console.WriteLine($"Provider:       {d.GetProperty("Provider").GetString()}");
            Console.WriteLine($"Piece:          {d.GetProperty("PieceCid").GetString()} ({ByteSize.Format(d.GetProperty("PieceSize").GetInt64())})");
            Console.WriteLine($"Payload root:   {status.GetProperty("DealDataRoot").GetString()}");
            Console.WriteLine($"Label:          {status.GetProperty("Label").GetString()}");
            Console.WriteLine($"Epochs:         {d.GetProperty("StartEpoch").GetInt64()} to {d.GetProperty("EndEpoch").GetInt64()} ({d.GetProperty("Duration").GetInt64()})");
            Console.WriteLine($"Price/epoch:    {new TokenAmount(BigInteger.Parse(d.GetProperty("PricePerEpoch").GetString()!, CultureInfo.InvariantCulture))}");
            Console.WriteLine($"Transfer:       {(d.GetProperty("IsOffline").GetBoolean() ? "offline" : status.GetProperty("TransferType").GetString())}, "
                + $"{status.GetProperty("NBytesReceived").GetUInt64()} of {d.GetProperty("TransferSize").GetUInt64()} bytes received");
            Console.WriteLine($"Proposal CID:   {status.GetProperty("SignedProposalCid").GetString()} (signed)");
            if (status.GetProperty("PublishCid").GetString() is { Length: > 0 } publish)
            {
                Console.WriteLine($"Publish:        {publish} (deal id {d.GetProperty("ChainDealId").GetUInt64()})");
            }

            if (status.GetProperty("SealingStatus").GetString() is { Length: > 0 } sealing)
            {
                Console.WriteLine($"Sealing:        {sealing} (sector {status.GetProperty("SectorNumber")})");
            }

            Console.WriteLine("History:");
            foreach (var h in status.GetProperty("History").EnumerateArray())
            {
                Console.WriteLine($"  {h.GetProperty("At").GetDateTimeOffset().ToLocalTime():yyyy-MM-dd HH:mm:ss}  {h.GetProperty("Checkpoint").GetString(),-20} {h.GetProperty("Note").GetString()} ({h.GetProperty("Silo").GetString()})");
            }
        });
        return command;
    }

    private static void PrintAsk(JsonElement signed)
    {
        var ask = signed.GetProperty("Ask");
        string[] header = ["Price per GiB/Epoch", "Verified", "Min. Piece Size (padded)", "Max. Piece Size (padded)", "Expiry (Epoch)", "Seq. No.", "Signed by"];
        string[] row =
        [
            new TokenAmount(BigInteger.Parse(ask.GetProperty("Price").GetString()!, CultureInfo.InvariantCulture)).ToString(),
            new TokenAmount(BigInteger.Parse(ask.GetProperty("VerifiedPrice").GetString()!, CultureInfo.InvariantCulture)).ToString(),
            ByteSize.Format(ask.GetProperty("MinPieceSize").GetInt64()),
            ByteSize.Format(ask.GetProperty("MaxPieceSize").GetInt64()),
            ask.GetProperty("Expiry").GetInt64().ToString(CultureInfo.InvariantCulture),
            ask.GetProperty("SeqNo").GetUInt64().ToString(CultureInfo.InvariantCulture),
            signed.GetProperty("Worker").GetString()!,
        ];
        PrintTable(header, [row]);
    }

    private static string Checkpoint(JsonElement deal) =>
        deal.GetProperty("Error").GetString() is { Length: > 0 } error ? $"{deal.GetProperty("Checkpoint").GetString()}: {error}"
        : deal.TryGetProperty("SealingStatus", out var sealing) && sealing.GetString() is { Length: > 0 } state ? $"{deal.GetProperty("Checkpoint").GetString()} (sector: {state})"
        : deal.GetProperty("Checkpoint").GetString()!;

    private static void PrintTable(string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        Console.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in rows)
        {
            Console.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }
    }

    private static BigInteger Price(string text, string option)
    {
        try
        {
            var amount = TokenAmount.Parse(text);
            return amount.AttoFil.Sign >= 0 ? amount.AttoFil : throw new CliError($"{option}: a price cannot be negative", 2);
        }
        catch (FormatException e)
        {
            throw new CliError($"{option}: {e.Message}", 2);
        }
    }

    private static long Size(string text, string option)
    {
        try
        {
            return text.Trim() == "0" ? 0 : ByteSize.Parse(text);
        }
        catch (FormatException e)
        {
            throw new CliError($"{option}: {e.Message}", 2);
        }
    }
}
