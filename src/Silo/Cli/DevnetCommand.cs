using System.CommandLine;
using Granary.Silo.Api;
using Granary.Silo.Chain;
using Granary.Silo.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary devnet run [--listen MULTIADDR] [--block-delay S]</c>: the devnet as its own process, serving Lotus's
/// FullNode JSON-RPC API (what <c>[Chain] ApiInfo</c> of every silo points at); <c>granary devnet api-info --perm P</c>
/// prints <c>FULLNODE_API_INFO</c> with a token of permission P. <c>--repo</c> names the devnet repo
/// (default <c>$GRANARY_DEVNET_PATH</c>, else <c>~/.granary-devnet</c>).
/// </summary>
internal static class DevnetCommand
{
    /// <summary>Lotus's environment variable for a full node's API.</summary>
    public const string FullNodeVariable = "FULLNODE_API_INFO";

    /// <summary>The variable <c>devnet run</c> prints the faucet address as.</summary>
    public const string FaucetVariable = "DEVNET_FAUCET";

    private const int DefaultBlockDelay = 4;

    public static Command Create()
    {
        var command = new Command("devnet", "Run the devnet chain as its own process (the chain a cluster of silos shares)");
        command.Subcommands.Add(Run());
        command.Subcommands.Add(ApiInfoVerb());
        return command;
    }

    private static Command Run()
    {
        var listen = new Option<string>("--listen")
        {
            Description = "API listen multiaddr (port 0 picks a free one)",
            DefaultValueFactory = _ => "/ip4/127.0.0.1/tcp/1234/http",
        };
        var blockDelay = new Option<int?>("--block-delay") { Description = $"Seconds per epoch (default {DefaultBlockDelay}; fixed when the chain is created)" };
        var run = new Command("run", "Run the devnet, serving /rpc/v0 and /rpc/v1 (JWT auth); prints FULLNODE_API_INFO and the faucet. SIGTERM stops it cleanly.")
        {
            listen, blockDelay,
        };
        run.SetAction(async r =>
        {
            var address = ParseListen(r.GetValue(listen)!);
            var repo = DevnetRepo.OpenOrCreate(DevnetRepo.ResolvePath(r.GetValue(CliOptions.Repo)));
            using var repoLock = repo.Lock();
            var delay = BlockDelay(repo, r.GetValue(blockDelay));
            var isNew = !File.Exists(repo.DatabasePath);
            var tokens = new ApiToken(repo.JwtSecret());

            using var loggers = LoggerFactory.Create(DevnetServer.ConfigureLogging);
            await using var node = EmbeddedDevnet.Open(repo.DatabasePath, delay, loggers, "--block-delay");
            if (isNew)
            {
                repo.RecordBlockDelay(delay);
            }

            await using var app = DevnetServer.Build(node, tokens, address, delay, repo.Root);
            try
            {
                await app.StartAsync();
            }
            catch (IOException e)
            {
                throw new CliError($"--listen {address.ToMultiaddr()}: cannot listen ({e.Message})");
            }

            var bound = DevnetServer.BoundAddress(app, address).ToMultiaddr();
            var token = tokens.Issue(Permissions.All);
            repo.WriteApiInfo(bound, token);
            var head = await node.ChainHead();
            var faucet = node.FaucetAddress.ToString('t');
            Console.WriteLine($"{FullNodeVariable}={token}:{bound}");
            Console.WriteLine($"{FaucetVariable}={faucet}");
            Console.Error.WriteLine($"granary devnet {node.NetworkName} running: head {head.Height}, a block every {delay} s, API {bound} (/rpc/v0, /rpc/v1), "
                + $"repo {repo.Root}; fund miners from the faucet: `granary init --from {faucet}`");
            try
            {
                await app.WaitForShutdownAsync();
            }
            finally
            {
                repo.ClearApiInfo();
            }

            Console.Error.WriteLine($"granary devnet {node.NetworkName} stopped at head {(await node.ChainHead()).Height}");
        });
        return run;
    }

    private static Command ApiInfoVerb()
    {
        var perm = new Option<string>("--perm")
        {
            Description = "Permission: read, write, sign or admin (each includes the weaker ones)",
            Required = true,
        };
        perm.AcceptOnlyFromAmong([.. Permissions.All.Select(p => p.Name())]);
        var verb = new Command("api-info", $"Print {FullNodeVariable}=TOKEN:MULTIADDR of the running devnet with a token of permission P") { perm };
        verb.SetAction(r =>
        {
            Permissions.TryParse(r.GetValue(perm)!, out var p);
            var root = DevnetRepo.ResolvePath(r.GetValue(CliOptions.Repo));
            if (!File.Exists(Path.Combine(root, "api")))
            {
                throw new CliError($"no running devnet: {root} has no api file (start one with `granary devnet run --repo {root}`)");
            }

            var repo = DevnetRepo.OpenOrCreate(root);
            var multiaddr = repo.ApiMultiaddr()!;
            Console.WriteLine($"{FullNodeVariable}={new ApiToken(repo.JwtSecret()).Issue(Permissions.UpTo(p))}:{multiaddr}");
        });
        return verb;
    }

    private static HttpListenAddress ParseListen(string text)
    {
        try
        {
            return HttpListenAddress.FromMultiaddr(text);
        }
        catch (FormatException e)
        {
            throw new CliError($"--listen: {e.Message}", 2);
        }
    }

    private static int BlockDelay(DevnetRepo repo, int? requested)
    {
        if (requested is < 1 or > 600)
        {
            throw new CliError($"--block-delay {requested}: must be 1 to 600 seconds", 2);
        }

        var created = File.Exists(repo.DatabasePath) ? repo.CreatedBlockDelay() : null;
        if (created is { } c && requested is { } r && r != c)
        {
            throw new CliError($"the devnet in {repo.Root} was created with a block delay of {c} s; omit --block-delay or use a new --repo", 2);
        }

        return requested ?? created ?? DefaultBlockDelay;
    }
}
