using System.CommandLine;
using System.Text.Json;
using Granary.Chain;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Tokens;
using Granary.Silo.Client;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary client wallet new|list|default|fund</c>: the storage client's secp256k1 keys (<see cref="ClientWallet"/>)
/// and funding them from the chain node's own wallet — on the embedded devnet its faucet.
/// </summary>
internal static class ClientWalletCommand
{
    /// <summary>What <c>fund</c> sends by default.</summary>
    public const string DefaultFundAmount = "10";

    public static Command Create()
    {
        var command = new Command("wallet", "The client wallet: keys that sign deals and pay for them");
        command.Subcommands.Add(New());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Default());
        command.Subcommands.Add(Fund());
        return command;
    }

    private static Command New()
    {
        var verb = new Command("new", "Make a new secp256k1 key and print its address (the first key becomes the default)");
        verb.SetAction(r =>
        {
            var wallet = Open(r);
            var address = wallet.New();
            Console.WriteLine(address.ToString('t'));
        });
        return verb;
    }

    private static Command List()
    {
        var json = CliOptions.Json();
        var offline = new Option<bool>("--offline") { Description = "Only the addresses, without reading balances from the chain" };
        var verb = new Command("list", "List the wallet's addresses with their balance and market escrow") { json, offline };
        verb.SetAction(async (r, ct) =>
        {
            var wallet = Open(r);
            var addresses = wallet.List();
            var defaultAddress = wallet.Default();
            var rows = new List<(Address Address, TokenAmount? Balance, TokenAmount? Escrow, TokenAmount? Locked)>();
            if (r.GetValue(offline))
            {
                rows.AddRange(addresses.Select(a => (a, (TokenAmount?)null, (TokenAmount?)null, (TokenAmount?)null)));
            }
            else if (addresses.Count > 0)
            {
                using var chain = ClientChain.Connect(r.GetValue(CliOptions.Repo));
                foreach (var address in addresses)
                {
                    try
                    {
                        var balance = await chain.Node.WalletBalance(address, ct);
                        var market = await chain.Node.StateMarketBalance(address, null, ct);
                        rows.Add((address, balance, market.Escrow, market.Locked));
                    }
                    catch (ChainException e)
                    {
                        throw new CliError($"cannot read {address.ToString('t')}'s balance from {chain.Description}: {e.Message}");
                    }
                }
            }

            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(rows.Select(x => new
                {
                    Address = x.Address.ToString('t'),
                    Default = x.Address == defaultAddress,
                    Balance = x.Balance?.AttoFil.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Escrow = x.Escrow?.AttoFil.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Locked = x.Locked?.AttoFil.ToString(System.Globalization.CultureInfo.InvariantCulture),
                }), new JsonSerializerOptions { WriteIndented = true }));
                return;
            }

            if (rows.Count == 0)
            {
                Console.Error.WriteLine($"no keys in {wallet.KeystorePath}; make one with `granary client wallet new`");
                return;
            }

            Console.WriteLine($"{"Address",-44} {"Default",-7} {"Balance",-24} {"Market (escrow/locked)"}");
            foreach (var (address, balance, escrow, locked) in rows)
            {
                Console.WriteLine($"{address.ToString('t'),-44} {(address == defaultAddress ? "X" : ""),-7} {balance?.ToString() ?? "-",-24} "
                    + (escrow is null ? "-" : $"{escrow}/{locked}"));
            }
        });
        return verb;
    }

    private static Command Default()
    {
        var address = new Argument<string?>("ADDRESS") { Description = "Make this address the default (omit to print the default)", Arity = ArgumentArity.ZeroOrOne };
        var verb = new Command("default", "Print or set the address deals are made from when --from is not given") { address };
        verb.SetAction(r =>
        {
            var wallet = Open(r);
            if (r.GetValue(address) is { } text)
            {
                var chosen = ClientCommand.Address(text, "ADDRESS");
                try
                {
                    wallet.SetDefault(chosen);
                }
                catch (InvalidOperationException e)
                {
                    throw new CliError(e.Message);
                }

                return;
            }

            Console.WriteLine(wallet.Default()?.ToString('t') ?? throw new CliError($"no default address in {wallet.Root}; make one with `granary client wallet new`"));
        });
        return verb;
    }

    private static Command Fund()
    {
        var address = new Argument<string?>("ADDRESS") { Description = "The address to fund (default: the wallet's default)", Arity = ArgumentArity.ZeroOrOne };
        var amount = new Option<string>("--amount") { Description = "FIL to send", DefaultValueFactory = _ => DefaultFundAmount };
        var from = new Option<string?>("--from") { Description = "An address in the chain node's wallet that pays (default: the node's default address, the devnet's faucet)" };
        var verb = new Command("fund", "Send FIL to a client address from the chain node's wallet (on the embedded devnet: its faucet) and wait for it to land")
        {
            address, amount, from,
        };
        verb.SetAction(async (r, ct) =>
        {
            var wallet = Open(r);
            var to = r.GetValue(address) is { } text ? ClientCommand.Address(text, "ADDRESS")
                : wallet.Default() ?? throw new CliError($"no default address in {wallet.Root}; make one with `granary client wallet new`");
            var value = ClientCommand.Fil(r.GetValue(amount)!, "--amount");
            if (value.AttoFil.IsZero)
            {
                throw new CliError("--amount must be more than 0", 2);
            }

            using var chain = ClientChain.Connect(r.GetValue(CliOptions.Repo));
            var payer = r.GetValue(from) is { } f ? ClientCommand.Address(f, "--from")
                : await chain.DefaultWalletAddressAsync(ct)
                    ?? throw new CliError($"{chain.Description} has no default wallet address; pass --from ADDRESS (an address in the node's wallet)");
            var message = new Message(0, to, payer, 0, value, 0, TokenAmount.Zero, TokenAmount.Zero, 0, []);
            var landed = await chain.SendFromNodeWalletAsync(message, $"funding {to.ToString('t')} with {value} from {payer.ToString('t')}", Console.Error, ct);
            Console.WriteLine($"{to.ToString('t')} funded with {value} (message {landed.Message}, epoch {landed.Height})");
        });
        return verb;
    }

    private static ClientWallet Open(ParseResult r) => ClientWallet.Open(ClientWallet.ResolvePath(r.GetValue(ClientCommand.Wallet)));
}
