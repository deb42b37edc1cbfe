using System.CommandLine;
using System.Text.Json;

namespace Granary.Silo.Cli;

/// <summary><c>granary net id|listen|peers|connect|ping</c>, as lotus-miner's: the markets silo's libp2p identity and addresses.</summary>
internal static class NetCommand
{
    public static Command Create()
    {
        var command = new Command("net", "The libp2p host of a markets silo: peer id, listen addresses, connected peers");
        command.Subcommands.Add(Verb("id", "Print this silo's libp2p peer id", "Filecoin.ID", result => [result.GetString()!]));
        command.Subcommands.Add(Verb("listen", "Print the addresses peers dial, each with /p2p/PEERID", "Filecoin.NetAddrsListen", result =>
        {
            var id = result.GetProperty("ID").GetString();
            return result.GetProperty("Addrs").EnumerateArray().Select(a => $"{a.GetString()}/p2p/{id}");
        }));
        command.Subcommands.Add(Verb("peers", "Print the connected peers, one line each: PEERID, ADDRESSES", "Filecoin.NetPeers", result =>
            result.EnumerateArray().Select(p => $"{p.GetProperty("ID").GetString()}, [{string.Join(" ", p.GetProperty("Addrs").EnumerateArray().Select(a => a.GetString()))}]")));
        command.Subcommands.Add(Verb("connect", "Dial a peer (MULTIADDR ending in /p2p/PEERID) and print what it identified as", "Filecoin.NetConnect",
            result => [$"connected to {result.GetProperty("ID").GetString()} ({result.GetProperty("AgentVersion").GetString()})"], withAddress: true));
        command.Subcommands.Add(Verb("ping", "Ping a peer (MULTIADDR ending in /p2p/PEERID) over /ipfs/ping/1.0.0", "Filecoin.NetPing",
            result => [$"pong: {result.GetProperty("RttMs").GetDouble():0.###} ms"], withAddress: true));
        return command;
    }

    private static Command Verb(string name, string description, string method, Func<JsonElement, IEnumerable<string>> lines, bool withAddress = false)
    {
        var json = CliOptions.Json();
        var address = new Argument<string>("MULTIADDR") { Description = "The peer, e.g. /ip4/1.2.3.4/tcp/24001/p2p/12D3KooW…" };
        var verb = new Command(name, description) { json };
        if (withAddress)
        {
            verb.Arguments.Add(address);
        }

        verb.SetAction(async r =>
        {
            using var client = new ApiClient(ApiInfo.Resolve(r.GetValue(CliOptions.Repo)));
            var result = withAddress ? await client.CallAsync(method, [r.GetValue(address)!]) : await client.CallAsync(method);
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
                return;
            }

            foreach (var line in lines(result))
            {
                Console.WriteLine(line);
            }
        });
        return verb;
    }
}
