using Granary.Silo.Configuration;

namespace Granary.Silo.Cli;

/// <summary>
/// How a CLI command reaches a running silo: <c>TOKEN:MULTIADDR</c> from <c>MINER_API_INFO</c> /
/// <c>MARKETS_API_INFO</c> (lotus's format), else a repo's <c>token</c> and <c>api</c> files; which side a command
/// talks to is <see cref="ApiTarget"/>'s choice.
/// </summary>
public sealed record ApiInfo(string Token, string Multiaddr)
{
    /// <summary>The environment variable lotus-miner tooling uses.</summary>
    public const string MinerVariable = "MINER_API_INFO";

    /// <summary>The HTTP URL of <c>/rpc/v0</c>.</summary>
    public Uri RpcUri
    {
        get
        {
            var address = HttpListenAddress.FromMultiaddr(Multiaddr);
            var host = address.Host is "0.0.0.0" ? "127.0.0.1" : address.Host is "::" ? "::1" : address.Host;
            return new Uri($"{new HttpListenAddress(host, address.Port).Url}/rpc/v0");
        }
    }

    /// <summary>The <c>TOKEN:MULTIADDR</c> form.</summary>
    public override string ToString() => $"{Token}:{Multiaddr}";

    /// <summary>Parses <c>TOKEN:MULTIADDR</c>; errors name <paramref name="source"/> (a variable or option).</summary>
    /// <exception cref="CliError">Not in that form.</exception>
    public static ApiInfo Parse(string text, string source = MinerVariable)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new CliError($"{source} must be TOKEN:MULTIADDR (e.g. eyJ...:/ip4/127.0.0.1/tcp/2345/http)");
        }

        var info = new ApiInfo(text[..colon], text[(colon + 1)..]);
        try
        {
            _ = info.RpcUri;
        }
        catch (FormatException e)
        {
            throw new CliError($"{source}: {e.Message}");
        }

        return info;
    }

    /// <summary>Finds the API of the running command's side (<see cref="ApiTarget"/>): its variables first, else the repo files.</summary>
    /// <exception cref="CliError">Neither is available.</exception>
    public static ApiInfo Resolve(string? repoOption) => ApiTarget.Resolve(repoOption);
}
