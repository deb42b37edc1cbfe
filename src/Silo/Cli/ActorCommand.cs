using System.CommandLine;
using System.Numerics;
using System.Text.Json;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary actor info [--json] [--cached]</c>, <c>actor set-peer-id PEERID</c> and <c>actor set-addrs MULTIADDR…</c>,
/// as lotus-miner's: the miner actor's on-chain info, and the messages that change where clients find the markets
/// node. The running silo's miner grain sends them from the worker and waits for them to land.
/// </summary>
internal static class ActorCommand
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var command = new Command("actor", "The miner actor on chain: its info, peer id and multiaddrs");
        command.Subcommands.Add(Info());
        command.Subcommands.Add(SetPeerId());
        command.Subcommands.Add(SetAddrs());
        return command;
    }

    private static Command Info()
    {
        var json = CliOptions.Json();
        var cached = new Option<bool>("--cached") { Description = "Show the cluster's mirror of the info without reading the chain" };
        var info = new Command("info", "Show the miner: owner, worker, peer id, multiaddrs, sector size, power") { json, cached };
        info.SetAction(async r =>
        {
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var result = await client.CallAsync("Filecoin.ActorInfo", [!r.GetValue(cached)]);
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(result, Indented));
                return;
            }

            var i = result.GetProperty("Info");
            var power = result.GetProperty("Power");
            var peerId = i.GetProperty("PeerId");
            var addrs = result.GetProperty("MultiaddrText").EnumerateArray().Select(a => a.GetString()).ToArray();
            Console.WriteLine($"Miner:        {result.GetProperty("Miner").GetString()}");
            Console.WriteLine($"Owner:        {i.GetProperty("Owner").GetString()} ({result.GetProperty("OwnerKey").GetString()})");
            Console.WriteLine($"Worker:       {i.GetProperty("Worker").GetString()} ({result.GetProperty("WorkerKey").GetString()})");
            Console.WriteLine($"Control:      {Join(i.GetProperty("ControlAddresses").EnumerateArray().Select(a => a.GetString()))}");
            Console.WriteLine($"Peer ID:      {(peerId.ValueKind == JsonValueKind.String ? peerId.GetString() : "(none)")}");
            Console.WriteLine($"Multiaddrs:   {Join(addrs)}");
            Console.WriteLine($"Sector size:  {Bytes(i.GetProperty("SectorSize").GetUInt64())}");
            Console.WriteLine($"Power:        {Bytes(Big(power, "RawBytePower"))} raw, {Bytes(Big(power, "QualityAdjPower"))} QA "
                + $"(network: {Bytes(Big(power, "NetworkRawBytePower"))} raw)");
            Console.WriteLine($"Read at:      epoch {result.GetProperty("Epoch").GetInt64()} (silo {result.GetProperty("Silo").GetString()})");
            var pending = result.GetProperty("Pending");
            if (pending.GetArrayLength() > 0)
            {
                Console.WriteLine($"Pending:      {Join(pending.EnumerateArray().Select(p => $"{p.GetProperty("Method").GetString()} {p.GetProperty("Message").GetString()}"))}");
            }
        });
        return info;
    }

    private static Command SetPeerId()
    {
        var peer = new Argument<string>("PEERID") { Description = "The markets node's libp2p peer id (`granary net id` on the markets silo)" };
        var verb = new Command("set-peer-id", "Set the peer id clients dial (miner method ChangePeerID) and wait for it to land") { peer };
        verb.SetAction(async r =>
        {
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var receipt = await client.CallAsync("Filecoin.ActorSetPeerID", [r.GetValue(peer)!]);
            Console.WriteLine($"peer id set to {r.GetValue(peer)} {Landed(receipt)}");
        });
        return verb;
    }

    private static Command SetAddrs()
    {
        var addrs = new Argument<string[]>("MULTIADDR") { Description = "Addresses clients dial, e.g. /ip4/1.2.3.4/tcp/24001 (a /p2p part is dropped)", Arity = ArgumentArity.OneOrMore };
        var verb = new Command("set-addrs", "Set the multiaddrs clients dial (miner method ChangeMultiaddrs) and wait for it to land") { addrs };
        verb.SetAction(async r =>
        {
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var receipt = await client.CallAsync("Filecoin.ActorSetAddrs", [r.GetValue(addrs)!]);
            Console.WriteLine($"multiaddrs set to {Join(r.GetValue(addrs)!)} {Landed(receipt)}");
        });
        return verb;
    }

    private static string Landed(JsonElement receipt) =>
        $"(message {receipt.GetProperty("Message").GetString()}, epoch {receipt.GetProperty("Height").GetInt64()})";

    private static string Join(IEnumerable<string?> items) => items.Any() ? string.Join(" ", items) : "(none)";

    private static BigInteger Big(JsonElement o, string name) => BigInteger.Parse(o.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    private static string Bytes(BigInteger bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        var unit = 0;
        var value = (double)bytes;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return $"{value:0.##} {units[unit]}";
    }
}
