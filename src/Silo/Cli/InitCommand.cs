using System.CommandLine;
using Granary.Chain;
using Granary.Chain.Rpc;
using Granary.Filecoin;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Tokens;
using Granary.Proofs;
using Granary.Silo.Chain;
using Granary.Silo.Configuration;
using Granary.Silo.Repo;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary init [--sector-size 2KiB|8MiB] [--from ADDRESS]</c>, as lotus-miner init: run once, before
/// <c>granary run</c>, to create the repo's miner actor on its chain (<see cref="MinerCreation"/>). On the embedded
/// devnet the devnet is opened in this process and the faucet pays; on a remote chain <c>--from</c> (an address in
/// the node's wallet, e.g. the faucet <c>granary devnet run</c> prints) pays through <c>MpoolPushMessage</c>.
/// </summary>
internal static class InitCommand
{
    /// <summary>Longest each init message may take to land.</summary>
    public static readonly TimeSpan MessageTimeout = TimeSpan.FromMinutes(5);

    public static Command Create()
    {
        var size = new Option<string>("--sector-size") { Description = "Sector size: 2KiB or 8MiB", DefaultValueFactory = _ => "2KiB" };
        size.AcceptOnlyFromAmong("2KiB", "8MiB");
        var from = new Option<string?>("--from")
        {
            Description = "Address in the chain node's wallet that funds the owner and worker (required with [Chain] ApiInfo; default on the embedded devnet: its faucet)",
        };
        var command = new Command("init", "Create this repo's miner actor: owner and worker keys, funding, CreateMiner; writes REPO/miner.json and prints the miner address")
        {
            size, from,
        };
        command.Subcommands.Add(InitServiceCommand.Create());
        command.Subcommands.Add(InitRestoreCommand.Create());
        command.SetAction(async (r, ct) =>
        {
            var sealProof = SealProofType.FromSizeName(r.GetValue(size)!);
            var funder = ParseFrom(r.GetValue(from));
            var repo = GranaryRepo.OpenOrCreate(GranaryRepo.ResolvePath(r.GetValue(CliOptions.Repo)), out var created);
            if (created)
            {
                Console.Error.WriteLine($"created repo {repo.Root} with the embedded default (monolith, SQLite)");
            }

            using var repoLock = repo.Lock();
            if (MinerFile.Read(repo.Root) is { } existing)
            {
                throw new CliError($"repo {repo.Root} already has miner {existing.Miner} ({repo.MinerPath}); init makes one miner per repo");
            }

            var config = ConfigLoader.Load(repo.ConfigPath);
            var chainConfig = config.Chain;
            MinerFile miner;
            try
            {
                if (chainConfig.Embedded)
                {
                    // The devnet's own warnings (a failed epoch) go to stderr with the progress lines.
                    using var loggers = LoggerFactory.Create(b => { DevnetServer.ConfigureLogging(b); b.SetMinimumLevel(LogLevel.Warning); });
                    await using var devnet = EmbeddedDevnet.Open(Path.Combine(repo.Root, EmbeddedDevnet.DatabaseFileName), chainConfig.DevnetBlockDelaySeconds,
                        loggers, "[Chain] DevnetBlockDelaySeconds");
                    var creation = funder is null
                        ? new MinerCreation(devnet, devnet.Faucet, $"the devnet faucet {devnet.FaucetAddress.ToString('t')}", Console.Error, MessageTimeout)
                        : new MinerCreation(devnet, Sender(devnet, funder), funder.ToString('t'), Console.Error, MessageTimeout);
                    miner = await creation.CreateAsync(repo, sealProof, "embedded", ct);
                }
                else
                {
                    if (funder is null)
                    {
                        throw new CliError("the chain is remote ([Chain] ApiInfo): pass --from ADDRESS, a funded address in the node's wallet "
                            + "(`granary devnet run` prints its faucet as DEVNET_FAUCET)", 2);
                    }

                    using var client = ChainRpcClient.FromApiInfo(chainConfig.ApiInfo);
                    var creation = new MinerCreation(client, Sender(client, funder), funder.ToString('t'), Console.Error, MessageTimeout);
                    miner = await creation.CreateAsync(repo, sealProof, client.Endpoint.ToString(), ct);
                }
            }
            catch (Exception e) when (e is ChainException or TimeoutException or InvalidOperationException)
            {
                throw new CliError($"init: {e.Message}");
            }

            Console.Error.WriteLine($"miner {miner.Miner} created (owner {miner.Owner}, worker {miner.Worker}, {miner.SectorSize} sectors) in {repo.MinerPath}");
            Console.WriteLine(miner.Miner);
        });
        return command;
    }

    // Funds from an address in the node's wallet: the node fills in nonce and gas and signs.
    private static Func<Address, TokenAmount, CancellationToken, Task<Filecoin.Cids.Cid>> Sender(IChainNode chain, Address from) =>
        async (to, amount, ct) =>
        {
            var message = new Filecoin.Chain.Message(0, to, from, 0, amount, 0, TokenAmount.Zero, TokenAmount.Zero, 0, []);
            return (await chain.MpoolPushMessage(message, null, ct)).Cid();
        };

    private static Address? ParseFrom(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return Address.Parse(text);
        }
        catch (FilecoinFormatException e)
        {
            throw new CliError($"--from: {e.Message}", 2);
        }
    }
}
