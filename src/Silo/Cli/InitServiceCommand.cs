using System.CommandLine;
using System.Text.Json;
using Granary.Silo.Chain;
using Granary.Silo.Repo;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary init service --type=markets --api-sealer=API_INFO --api-sector-index=API_INFO --config=FILE [BACKUP]</c>, as
/// lotus-miner's: creates the repo (<c>--repo</c>) of a markets gateway that joins the miner's running cluster as a
/// markets-only silo. Everything is checked before anything changes (<see cref="InitServiceChecks"/>): the config holds
/// only <c>EnableMarkets</c>, the cluster's PostgreSQL and a remote chain; both APIs answer with valid tokens for one
/// miner; the database in the config is the cluster the sealer's silo runs in; the config's chain knows the miner. Then
/// the repo gets the config, a new libp2p identity (keystore, mode 0600) and the miner's <c>miner.json</c> (no keys: the
/// worker key stays on the miner side), and the miner's on-chain peer id is changed to the gateway's through the sealer's
/// API (ChangePeerID, waited for). If that fails the new repo is removed again.
/// </summary>
internal static class InitServiceCommand
{
    public static Command Create()
    {
        var type = new Option<string>("--type") { Description = "The service to create: markets (a markets gateway)", Required = true };
        type.AcceptOnlyFromAmong("markets");
        var sealer = new Option<string>("--api-sealer")
        {
            Description = "TOKEN:MULTIADDR of the miner silo's API (an admin token: `granary auth api-info --perm admin` on the miner); it sends ChangePeerID",
            Required = true,
        };
        var sectorIndex = new Option<string>("--api-sector-index")
        {
            Description = "TOKEN:MULTIADDR of the silo holding the sector index (the miner silo in a two-silo split); checked to serve the same miner and cluster",
            Required = true,
        };
        var config = new Option<string>("--config")
        {
            Description = "The gateway's config.toml: only EnableMarkets = true, the cluster's [Cluster] (PostgreSQL), a remote [Chain] ApiInfo",
            Required = true,
        };
        var backup = new Argument<string?>("BACKUP")
        {
            Description = "Optional: a `granary backup` file of the miner, checked to be of the same miner",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("service", "Create the repo of a markets gateway joining the miner's cluster and point the miner's on-chain peer id at it")
        {
            type, sealer, sectorIndex, config, backup,
        };
        command.SetAction(async (r, ct) =>
        {
            var root = GranaryRepo.ResolvePath(r.GetValue(CliOptions.Repo));
            var plan = await InitServiceChecks.RunAsync(root, r.GetValue(config)!, ApiInfo.Parse(r.GetValue(sealer)!, "--api-sealer"),
                ApiInfo.Parse(r.GetValue(sectorIndex)!, "--api-sector-index"), r.GetValue(backup), ct);
            await CreateAsync(plan);
        });
        return command;
    }

    private static async Task CreateAsync(InitServicePlan plan)
    {
        var existed = Directory.Exists(plan.Root);
        Directory.CreateDirectory(plan.Root);
        File.WriteAllText(Path.Combine(plan.Root, "config.toml"), plan.ConfigText);
        var repo = GranaryRepo.OpenOrCreate(plan.Root, out _);
        string peerId;
        using (repo.Lock())
        {
            plan.Miner.Write(repo.Root);
            peerId = repo.Libp2pIdentity().PeerId.ToString();
            _ = repo.JwtSecret();
        }

        Console.Error.WriteLine($"created gateway repo {repo.Root} for miner {plan.Miner.Miner} (libp2p peer id {peerId}); changing the miner's peer id on chain…");
        JsonElement receipt;
        try
        {
            using var client = new ApiClient(plan.Sealer);
            receipt = await client.CallAsync("Filecoin.ActorSetPeerID", [peerId]);
        }
        catch (CliError e)
        {
            Remove(repo.Root, existed);
            throw new CliError($"--api-sealer: changing the miner's peer id failed, so the gateway repo was removed again: {e.Message}");
        }

        Console.Error.WriteLine($"peer id of {plan.Miner.Miner} set to {peerId} (message {receipt.GetProperty("Message").GetString()}, epoch {receipt.GetProperty("Height").GetInt64()})");
        Console.Error.WriteLine($"next: set EnableMarkets = false on the miner silo and restart it, start the gateway with `granary run --repo {repo.Root}`, "
            + "then `granary actor set-addrs` its public libp2p addresses");
        Console.WriteLine(peerId);
    }

    private static void Remove(string root, bool existed)
    {
        foreach (var name in new[] { "config.toml", MinerFile.FileName, "repo.lock" })
        {
            File.Delete(Path.Combine(root, name));
        }

        Directory.Delete(Path.Combine(root, "keystore"), recursive: true);
        if (!existed && !Directory.EnumerateFileSystemEntries(root).Any())
        {
            Directory.Delete(root);
        }
    }
}
