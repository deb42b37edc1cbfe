using System.Net.Sockets;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Tests.Interop;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary>
/// The libp2p host of a running <c>granary</c> process against an independent js-libp2p 3.3.11 peer: js dials
/// granary (ping, identify) and granary dials js (<c>net connect</c>, <c>net ping</c>); the identity survives
/// a restart; a silo without the markets subsystem opens no libp2p port.
/// </summary>
public sealed class Libp2pSiloTests
{
    [Fact]
    public async Task A_markets_silo_is_dialed_by_js_libp2p_and_dials_it_with_a_stable_peer_id()
    {
        using var dir = new TempDirectory();
        var repo = Path.Combine(dir.Path, "repo");
        var config = TestConfig.OnFreePorts();
        config.WriteTo(repo);

        string peerId;
        await using (var silo = GranaryProcess.Start(["run", "--repo", repo]))
        {
            await silo.WaitHealthyAsync(config.DashboardPort);
            peerId = (await Cli(repo, "net", "id")).Trim();
            Assert.StartsWith("12D3KooW", peerId);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(repo, "keystore", "libp2p-host")));

            var listen = (await Cli(repo, "net", "listen")).Trim();
            Assert.Equal($"/ip4/127.0.0.1/tcp/{config.Libp2pPort}/p2p/{peerId}", listen);

            await using var js = await JsPeer.StartAsync();

            // js dials granary.
            var ping = await js.RunAsync("ping", new { addr = listen });
            Assert.True(ping["rtt"]!.GetValue<double>() >= 0);
            var identify = await js.RunAsync("identify", new { addr = listen });
            Assert.StartsWith("granary/", identify["agentVersion"]!.GetValue<string>());
            var protocols = identify["protocols"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
            Assert.Contains("/ipfs/id/1.0.0", protocols);
            Assert.Contains("/ipfs/ping/1.0.0", protocols);

            // granary dials js.
            var connected = await Cli(repo, "net", "connect", js.Ip4Address.ToString());
            Assert.Contains(js.PeerId.ToString(), connected);
            Assert.Contains("js-libp2p/3.3.11", connected);
            Assert.StartsWith("pong: ", await Cli(repo, "net", "ping", js.Ip4Address.ToString()));
            Assert.Contains(js.PeerId.ToString(), await Cli(repo, "net", "peers"));

            // A bad address is the caller's error, in one line.
            var (code, bad) = await GranaryProcess.RunAsync(["net", "ping", "/ip4/127.0.0.1/tcp/1", "--repo", repo]);
            Assert.NotEqual(0, code);
            Assert.Contains("/p2p/", bad);
            Assert.DoesNotContain("   at ", bad);
            await silo.TerminateAsync();
        }

        await using (var again = GranaryProcess.Start(["run", "--repo", repo]))
        {
            await again.WaitHealthyAsync(config.DashboardPort);
            Assert.Equal(peerId, (await Cli(repo, "net", "id")).Trim());
            await again.TerminateAsync();
        }
    }

    [Fact]
    public async Task A_silo_without_markets_opens_no_libp2p_port_and_says_where_to_ask()
    {
        using var dir = new TempDirectory();
        var repo = Path.Combine(dir.Path, "repo");
        var config = TestConfig.OnFreePorts(subsystems: "EnableMarkets = false");
        config.WriteTo(repo);
        await using var silo = GranaryProcess.Start(["run", "--repo", repo]);
        await silo.WaitHealthyAsync(config.DashboardPort);

        var (code, output) = await GranaryProcess.RunAsync(["net", "id", "--repo", repo]);
        Assert.NotEqual(0, code);
        Assert.Contains("EnableMarkets = false", output);
        Assert.Single(output.Trim().Split('\n'));

        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync("127.0.0.1", config.Libp2pPort));
        await silo.TerminateAsync();
    }

    private static async Task<string> Cli(string repo, params string[] args)
    {
        var (code, output) = await GranaryProcess.RunAsync([.. args, "--repo", repo]);
        Assert.True(code == 0, $"granary {string.Join(' ', args)}: {output}");
        return output;
    }
}
