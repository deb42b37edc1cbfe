using System.CommandLine;
using System.Text.Json;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary storage-deals import-data UUID FILE</c> (lotus-miner's / Boost's offline-deal import): the gateway silo the
/// CLI talks to (use <c>--call-on-markets</c> style endpoints) reads FILE from its own machine, checks it against the
/// deal's proposal (size, CommP) and moves the deal on. A subcommand for the <c>storage-deals</c> verb.
/// </summary>
internal static class StorageDealsImportCommand
{
    public static Command Create()
    {
        var uuid = new Argument<string>("UUID") { Description = "The deal UUID (from the client, or `storage-deals list`)" };
        var file = new Argument<string>("FILE") { Description = "The deal's CAR file, on the machine of the gateway silo" };
        var command = new Command("import-data", "Import the data of an offline deal: the file is checked against the proposal's piece CID")
        {
            uuid, file,
        };
        command.SetAction(async r =>
        {
            var text = r.GetValue(uuid)!;
            if (!Guid.TryParse(text, out var deal))
            {
                throw new CliError($"'{text}' is not a deal UUID", 2);
            }

            var path = Path.GetFullPath(r.GetValue(file)!);
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var result = await client.CallAsync("Filecoin.MarketImportDealData", deal.ToString(), path);
            var checkpoint = result.TryGetProperty("Checkpoint", out var c) ? c.GetString() : "?";
            var bytes = result.TryGetProperty("NBytesReceived", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetUInt64() : 0;
            Console.WriteLine($"deal {deal}: imported {bytes} bytes from {path}; now {checkpoint}");
        });
        return command;
    }
}
