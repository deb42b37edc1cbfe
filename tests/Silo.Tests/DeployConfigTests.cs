using Granary.Silo.Configuration;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary>
/// deploy/config (a config.toml per machine class) and deploy/systemd (a unit per class): each config is accepted by
/// <c>granary config validate</c> and enables its class's subsystems, keeps the API and dashboard off public addresses,
/// keeps secrets out of the file; each unit runs the class as its own user with its environment file, restarts on
/// failure and gives SIGTERM longer than the silo needs to stop.
/// </summary>
public sealed class DeployConfigTests
{
    private static readonly string ConfigDir = Path.Combine(RepoRoot.Path, "deploy", "config");
    private static readonly string SystemdDir = Path.Combine(RepoRoot.Path, "deploy", "systemd");

    [Theory]
    [InlineData("monolith", "Mining,Sealing,SectorStorage,Markets", "Sqlite")]
    [InlineData("markets", "Markets", "PostgreSql")]
    [InlineData("sealing", "Sealing,SectorStorage", "PostgreSql")]
    [InlineData("proving", "Mining,SectorStorage", "PostgreSql")]
    public async Task Each_class_config_is_accepted_by_granary_config_validate(string klass, string subsystems, string database)
    {
        var path = Path.Combine(ConfigDir, $"{klass}.toml");
        var (code, output) = await GranaryProcess.RunAsync(["config", "validate", path]);
        Assert.True(code == 0, output);
        Assert.Equal($"{path}: ok (subsystems: {subsystems}; database: {database})", output.Trim());
    }

    [Theory]
    [InlineData("markets")]
    [InlineData("sealing")]
    [InlineData("proving")]
    public void Cluster_class_configs_share_one_cluster_and_keep_admin_ports_private(string klass)
    {
        var config = ConfigLoader.Load(Path.Combine(ConfigDir, $"{klass}.toml"));
        Assert.Equal(("granary", "granary", 11111, 0), (config.Cluster.ClusterId, config.Cluster.ServiceId, config.Cluster.SiloPort, config.Cluster.GatewayPort));
        // The API and the dashboard listen on the silo's private address, never on every address.
        Assert.Equal(config.Cluster.AdvertisedAddress, config.Api.Endpoint.Host);
        Assert.Equal(config.Cluster.AdvertisedAddress, config.Dashboard.Endpoint.Host);
        Assert.StartsWith("10.", config.Cluster.AdvertisedAddress, StringComparison.Ordinal);
        // PostgreSQL, with the password in the environment file (PGPASSWORD), not here.
        Assert.StartsWith("Host=", config.Cluster.Database, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", config.Cluster.Database, StringComparison.OrdinalIgnoreCase);
        // A cluster shares one chain node.
        Assert.False(config.Chain.Embedded);
        // The operator comments name the ports and who may reach them.
        var text = File.ReadAllText(Path.Combine(ConfigDir, $"{klass}.toml"));
        Assert.Contains("11111/tcp", text);
        Assert.Contains("2345/tcp", text);
        Assert.Contains($"/etc/granary/{klass}.env", text);
    }

    [Fact]
    public void Only_the_markets_config_listens_publicly()
    {
        var markets = ConfigLoader.Load(Path.Combine(ConfigDir, "markets.toml"));
        Assert.Equal(["/ip4/0.0.0.0/tcp/24001"], markets.Libp2p.ListenAddresses);
        Assert.Equal("0.0.0.0", markets.Retrieval.Endpoint.Host);
        Assert.False(markets.Dealmaking.AllowPrivateTransferUrls);
        foreach (var klass in new[] { "sealing", "proving" })
        {
            var config = ConfigLoader.Load(Path.Combine(ConfigDir, $"{klass}.toml"));
            Assert.False(config.Subsystems.EnableMarkets);
            Assert.All(config.Libp2p.ListenAddresses, a => Assert.StartsWith("/ip4/127.0.0.1/", a, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("monolith")]
    [InlineData("markets")]
    [InlineData("sealing")]
    [InlineData("proving")]
    public void Each_class_has_a_systemd_unit_with_its_user_environment_restart_and_stop_timeout(string klass)
    {
        var unit = SystemdUnit.Parse(File.ReadAllText(Path.Combine(SystemdDir, $"granary-{klass}.service")));
        Assert.Equal("granary", unit["Service", "User"]);
        Assert.Equal("granary", unit["Service", "Group"]);
        Assert.Equal($"/etc/granary/{klass}.env", unit["Service", "EnvironmentFile"]);
        Assert.Equal("/opt/granary/granary run --repo /var/lib/granary", unit["Service", "ExecStart"]);
        Assert.Equal("/opt/granary/granary config validate /var/lib/granary/config.toml", unit["Service", "ExecStartPre"]);
        Assert.Equal("on-failure", unit["Service", "Restart"]);
        Assert.Equal("SIGTERM", unit["Service", "KillSignal"]);
        Assert.True(long.Parse(unit["Service", "LimitNOFILE"], System.Globalization.CultureInfo.InvariantCulture) >= 65536);
        // SIGTERM gets longer than the silo's own shutdown budget before systemd kills it.
        var stop = TimeSpan.FromSeconds(int.Parse(unit["Service", "TimeoutStopSec"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(stop > Hosting.SiloApplication.ShutdownTimeout * 2, $"TimeoutStopSec {stop} is too short");
        Assert.Equal("multi-user.target", unit["Install", "WantedBy"]);
        Assert.Equal("network-online.target", unit["Unit", "After"]);
    }

    [Fact]
    public void The_unit_parser_refuses_lines_outside_a_section_and_finds_no_missing_key()
    {
        Assert.Throws<FormatException>(() => SystemdUnit.Parse("User=granary\n[Service]\n"));
        Assert.Throws<FormatException>(() => SystemdUnit.Parse("[Service]\nno equals sign\n"));
        var unit = SystemdUnit.Parse("# comment\n[Service]\nRestart=always\n");
        Assert.Throws<KeyNotFoundException>(() => unit["Service", "User"]);
        Assert.Equal("always", unit["Service", "Restart"]);
    }
}

/// <summary>A systemd unit file's <c>[Section] Key=Value</c> lines (the last value of a key wins, as systemd reads them).</summary>
internal sealed class SystemdUnit
{
    private readonly Dictionary<(string, string), string> _values = new();

    public string this[string section, string key] =>
        _values.TryGetValue((section, key), out var v) ? v : throw new KeyNotFoundException($"[{section}] {key} is not set");

    public static SystemdUnit Parse(string text)
    {
        var unit = new SystemdUnit();
        string? section = null;
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1];
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (section is null || eq <= 0)
            {
                throw new FormatException($"line {number}: '{line}' is not a Key=Value line inside a [Section]");
            }

            unit._values[(section, line[..eq].Trim())] = line[(eq + 1)..].Trim();
        }

        return unit;
    }
}
