using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary>
/// Which silo each CLI command talks to (<c>ApiTarget</c>), seen from the real executable: the miner and markets
/// endpoints are two loopback ports nobody listens on, so each command's one-line error names the endpoint it chose.
/// </summary>
public sealed class CliRoutingTests
{
    private static readonly int[] Ports = FreePorts.Take(2);
    private static readonly string Miner = $"/ip4/127.0.0.1/tcp/{Ports[0]}/http";
    private static readonly string Markets = $"/ip4/127.0.0.1/tcp/{Ports[1]}/http";

    public static TheoryData<string, string> Commands => new()
    {
        { "sectors list", "miner" },
        { "proving info", "miner" },
        { "storage list", "miner" },
        { "actor info", "miner" },
        { "sealing jobs", "miner" },
        { "storage-deals list", "markets" },
        { "storage-deals get-ask", "markets" },
        { "net id", "markets" },
        { "pieces list", "markets" },
        { "auth create-token --perm read", "miner" },
        { "auth create-token --perm read --call-on-markets", "markets" },
        { "sectors list --call-on-markets", "miner" }, // a miner-only command stays on the miner
        { "net id --call-on-markets", "markets" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Each_command_goes_to_its_side(string command, string side)
    {
        var (code, output) = await GranaryProcess.RunAsync(command.Split(' '), new Dictionary<string, string?>
        {
            ["MINER_API_INFO"] = $"minertoken:{Miner}",
            ["MARKETS_API_INFO"] = $"marketstoken:{Markets}",
        });
        Assert.Equal(1, code);
        Assert.Single(output.Trim().Split('\n'));
        Assert.Contains($"cannot reach the granary API at {(side == "miner" ? Miner : Markets)}", output);
    }

    [Fact]
    public async Task Without_markets_variables_the_markets_side_is_the_miner_then_the_repo()
    {
        // Only MINER_API_INFO: a monolith serves both sides.
        var (_, onMiner) = await GranaryProcess.RunAsync(["storage-deals", "list"], new Dictionary<string, string?> { ["MINER_API_INFO"] = $"t:{Miner}" });
        Assert.Contains($"cannot reach the granary API at {Miner}", onMiner);

        // Repos: GRANARY_MARKETS_PATH for markets commands, GRANARY_MINER_PATH for miner commands, --repo for the rest.
        using var dir = new TempDirectory();
        var minerRepo = Path.Combine(dir.Path, "miner");
        var marketsRepo = Path.Combine(dir.Path, "markets");
        var plain = Path.Combine(dir.Path, "plain");
        var repos = new Dictionary<string, string?> { ["GRANARY_MINER_PATH"] = minerRepo, ["GRANARY_MARKETS_PATH"] = marketsRepo };
        var (_, deals) = await GranaryProcess.RunAsync(["storage-deals", "list", "--repo", plain], repos);
        Assert.Contains($"GRANARY_MARKETS_PATH names {marketsRepo}, which has no api/token files", deals);
        var (_, sectors) = await GranaryProcess.RunAsync(["sectors", "list", "--repo", plain], repos);
        Assert.Contains($"GRANARY_MINER_PATH names {minerRepo}, which has no api/token files", sectors);
        var (_, repoOnly) = await GranaryProcess.RunAsync(["pieces", "list", "--repo", plain]);
        Assert.Contains($"no running silo found: {plain}, which has no api/token files", repoOnly);

        // A markets endpoint that is not TOKEN:MULTIADDR is named in the error.
        var (badCode, bad) = await GranaryProcess.RunAsync(["net", "id"], new Dictionary<string, string?> { ["MARKETS_API_INFO"] = "no-colon" });
        Assert.Equal((1, "granary: MARKETS_API_INFO must be TOKEN:MULTIADDR (e.g. eyJ...:/ip4/127.0.0.1/tcp/2345/http)"), (badCode, bad.Trim()));
        var (truncCode, truncated) = await GranaryProcess.RunAsync(["net", "id"], new Dictionary<string, string?> { ["MARKETS_API_INFO"] = "tok:/ip4/127.0.0.1/tcp" });
        Assert.Equal(1, truncCode);
        Assert.StartsWith("granary: MARKETS_API_INFO: ", truncated.Trim());
        var (longCode, oversized) = await GranaryProcess.RunAsync(["net", "id"], new Dictionary<string, string?> { ["MARKETS_API_INFO"] = $"tok:/ip4/{new string('9', 5000)}/tcp/1/http" });
        Assert.Equal(1, longCode);
        Assert.StartsWith("granary: MARKETS_API_INFO: ", oversized.Trim());
    }

    [Fact]
    public async Task Info_reports_both_sides_unreachable_with_the_miner_side_error()
    {
        var (code, output) = await GranaryProcess.RunAsync(["info"], new Dictionary<string, string?>
        {
            ["MINER_API_INFO"] = $"minertoken:{Miner}",
            ["MARKETS_API_INFO"] = $"marketstoken:{Markets}",
        });
        Assert.Equal(1, code);
        Assert.Contains($"cannot reach the granary API at {Miner}", output);
        var (marketsCode, markets) = await GranaryProcess.RunAsync(["info", "--call-on-markets"], new Dictionary<string, string?>
        {
            ["MINER_API_INFO"] = $"minertoken:{Miner}",
            ["MARKETS_API_INFO"] = $"marketstoken:{Markets}",
        });
        Assert.Equal(1, marketsCode);
        Assert.Contains($"cannot reach the granary API at {Markets}", markets);
    }
}
