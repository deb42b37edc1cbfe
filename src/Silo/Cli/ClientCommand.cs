using System.CommandLine;
using System.Globalization;
using System.Numerics;
using Granary.Filecoin;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Tokens;
using Granary.Silo.Client;
using Granary.Silo.Configuration;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary client deal|retrieve|query|wallet</c>: a storage client of any Boost-compatible provider, as
/// <c>boost deal</c> and <c>boost retrieve</c>. The chain is <c>FULLNODE_API_INFO</c>, else the running silo of
/// <c>--repo</c> (which serves its embedded devnet at <c>/rpc/v1</c>); keys are in the client wallet
/// (<c>--wallet DIR</c>, else <c>$GRANARY_CLIENT_PATH</c>, else <c>~/.granary-client</c>).
/// </summary>
internal static class ClientCommand
{
    /// <summary><c>--wallet DIR</c>.</summary>
    public static readonly Option<string?> Wallet = new("--wallet")
    {
        Description = $"Client wallet directory (default: ${ClientWallet.PathVariable}, else ~/.granary-client)",
        Recursive = true,
    };

    /// <summary>Boost's default deal duration: 180 days of 30 s epochs, the market's minimum.</summary>
    public const long DefaultDuration = 518_400;

    /// <summary>Default epochs from the head to the deal's start: 5760 (two days of 30 s epochs; 6.4 h on the 4 s devnet).</summary>
    public const long DefaultStartIn = 5_760;

    public static Command Create()
    {
        var command = new Command("client", "A storage client: make deals with a miner, query and retrieve data, manage the client wallet. "
            + $"The chain is {ClientChain.FullNodeVariable}, else the silo of --repo (its embedded devnet).")
        {
            Wallet,
        };
        command.Subcommands.Add(Deal());
        command.Subcommands.Add(ClientRetrieveCommand.Retrieve());
        command.Subcommands.Add(ClientRetrieveCommand.Query());
        command.Subcommands.Add(ClientWalletCommand.Create());
        return command;
    }

    private static Command Deal()
    {
        var file = new Argument<string>("FILE") { Description = "The file to store (made into a UnixFS CAR), or a CARv1 with --car" };
        var miner = new Option<string>("--miner") { Description = "The provider, e.g. f01000", Required = true };
        var price = new Option<string>("--price") { Description = "Price in attoFIL per GiB per epoch (at least the miner's ask; `storage-deals get-ask`)", Required = true };
        var duration = new Option<long>("--duration") { Description = "Deal duration in epochs (default 518400, 180 days of 30 s epochs)", DefaultValueFactory = _ => DefaultDuration };
        var verified = new Option<bool>("--verified") { Description = "Propose a verified (DataCap) deal" };
        var startIn = new Option<long>("--start-in") { Description = $"Epochs from now to the deal's start (default {DefaultStartIn})", DefaultValueFactory = _ => DefaultStartIn };
        var from = new Option<string?>("--from") { Description = "The client address that signs and pays (default: the wallet's default)" };
        var collateral = new Option<string>("--provider-collateral") { Description = "Provider collateral in FIL", DefaultValueFactory = _ => "0" };
        var car = new Option<bool>("--car") { Description = "FILE is a CARv1 already (its first root is the deal's root)" };
        var httpUrl = new Option<string?>("--http-url") { Description = "Let the provider pull the CAR from this URL instead of serving it from here" };
        var serve = new Option<string>("--serve")
        {
            Description = "HOST:PORT the built-in HTTP server listens on (port 0: any). The provider must reach it: a loopback or private address "
                + "needs the provider's [Dealmaking] AllowPrivateTransferUrls = true",
            DefaultValueFactory = _ => "127.0.0.1:0",
        };
        var serveHost = new Option<string?>("--serve-host") { Description = "Host name or address written in the transfer URL (default: the --serve host)" };
        var carOut = new Option<string?>("--car-out") { Description = "Keep the CAR built from FILE at this path (default: a temporary file, removed at exit)" };
        var wait = new Option<string>("--wait") { Description = "Follow the deal until: accepted, transferred, published (on chain), sealing (in a sector) or proving (sealed and proven); while it serves the CAR itself the command stays until the miner has the data", DefaultValueFactory = _ => "sealing" };
        wait.AcceptOnlyFromAmong([.. DealWaits.Names]);
        var timeout = new Option<int>("--timeout") { Description = "Minutes to follow the deal before giving up", DefaultValueFactory = _ => 120 };
        var deal = new Command("deal", "Make an online storage deal: build a CAR of FILE, compute CommP, add market escrow if needed, serve the CAR over HTTP, "
            + "propose on /fil/storage/mk/1.2.1 and follow /fil/storage/status/1.2.0 (bytes received, checkpoint, sector state)")
        {
            file, miner, price, duration, verified, startIn, from, collateral, car, httpUrl, serve, serveHost, carOut, wait, timeout,
        };
        deal.SetAction(async (r, ct) =>
        {
            var request = new DealRequest(
                Path.GetFullPath(r.GetValue(file)!),
                r.GetValue(car),
                Address(r.GetValue(miner)!, "--miner"),
                Atto(r.GetValue(price)!, "--price"),
                Positive(r.GetValue(duration), "--duration"),
                Positive(r.GetValue(startIn), "--start-in"),
                r.GetValue(verified),
                Fil(r.GetValue(collateral)!, "--provider-collateral"),
                r.GetValue(from) is { } f ? Address(f, "--from") : null,
                r.GetValue(httpUrl) is { } u ? Url(u) : null,
                Listen(r.GetValue(serve)!),
                r.GetValue(serveHost),
                r.GetValue(carOut) is { } o ? Path.GetFullPath(o) : null,
                DealWaits.Parse(r.GetValue(wait)!),
                TimeSpan.FromMinutes(r.GetValue(timeout) is var t and > 0 ? t : throw new CliError("--timeout must be at least 1 minute", 2)));
            var wallet = ClientWallet.Open(ClientWallet.ResolvePath(r.GetValue(Wallet)));
            using var chain = ClientChain.Connect(r.GetValue(CliOptions.Repo));
            await new StorageDealFlow(chain, wallet, Console.Error, Console.Out).RunAsync(request, ct);
        });
        return deal;
    }

    /// <summary>Parses an address option.</summary>
    public static Address Address(string text, string option)
    {
        try
        {
            return Filecoin.Addresses.Address.Parse(text);
        }
        catch (FilecoinFormatException e)
        {
            throw new CliError($"{option}: {e.Message}", 2);
        }
    }

    private static BigInteger Atto(string text, string option) =>
        BigInteger.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new CliError($"{option}: '{text}' is not a whole number of attoFIL", 2);

    /// <summary>Parses an amount of FIL.</summary>
    public static TokenAmount Fil(string text, string option)
    {
        try
        {
            var amount = TokenAmount.Parse(text);
            return amount.AttoFil.Sign >= 0 ? amount : throw new CliError($"{option}: '{text}' is negative", 2);
        }
        catch (FilecoinFormatException e)
        {
            throw new CliError($"{option}: {e.Message}", 2);
        }
    }

    private static long Positive(long value, string option) => value > 0 ? value : throw new CliError($"{option} must be a positive number of epochs", 2);

    private static Uri Url(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new CliError($"--http-url: '{text}' is not an http or https URL", 2);

    private static HttpListenAddress Listen(string text)
    {
        try
        {
            var address = HttpListenAddress.FromHostPort(text.EndsWith(":0", StringComparison.Ordinal) ? text[..^2] + ":1" : text);
            return text.EndsWith(":0", StringComparison.Ordinal) ? new HttpListenAddress(address.Host, 0) : address;
        }
        catch (FormatException e)
        {
            throw new CliError($"--serve: {e.Message}", 2);
        }
    }
}
