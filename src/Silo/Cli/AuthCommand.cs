using System.CommandLine;
using Granary.Silo.Api;

namespace Granary.Silo.Cli;

/// <summary><c>granary auth create-token|api-info --perm P</c>, as lotus-miner's.</summary>
internal static class AuthCommand
{
    public static Command Create()
    {
        var command = new Command("auth", "Create API tokens for the running silo");
        command.Subcommands.Add(Verb("create-token", "Print a new API token with permission P and every weaker one",
            (info, token) => token));
        command.Subcommands.Add(Verb("api-info", $"Print {ApiInfo.MinerVariable}=TOKEN:MULTIADDR (with --call-on-markets {ApiTarget.MarketsVariable}=…) for scripts and other tools",
            (info, token) => $"{(ApiTarget.Current == ApiSide.Markets ? ApiTarget.MarketsVariable : ApiInfo.MinerVariable)}={new ApiInfo(token, info.Multiaddr)}"));
        return command;
    }

    private static Command Verb(string name, string description, Func<ApiInfo, string, string> format)
    {
        var perm = new Option<string>("--perm")
        {
            Description = "Permission: read, write, sign or admin (each includes the weaker ones)",
            Required = true,
        };
        perm.AcceptOnlyFromAmong([.. Permissions.All.Select(p => p.Name())]);
        var verb = new Command(name, description) { perm };
        verb.SetAction(async r =>
        {
            Permissions.TryParse(r.GetValue(perm)!, out var p);
            var info = ApiInfo.Resolve(r.GetValue(CliOptions.Repo));
            using var client = new ApiClient(info);
            var result = await client.CallAsync("Filecoin.AuthNew", [Permissions.UpTo(p).Select(x => x.Name()).ToArray()]);
            var token = System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(result.GetString()!));
            Console.WriteLine(format(info, token));
        });
        return verb;
    }
}
