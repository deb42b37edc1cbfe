using System.Text.Json;
using Granary.Chain.Rpc;
using Granary.Filecoin.Addresses;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary>
/// A silo on a remote chain, as real processes: <c>granary devnet run</c>, then <c>granary init --from FAUCET</c> and
/// <c>granary run</c> with <c>[Chain] ApiInfo</c> pointing at it; the actor commands' changes are read back from the
/// devnet by an independent <see cref="ChainRpcClient"/>.
/// </summary>
public sealed class ActorRemoteChainTests
{
    [Fact]
    public async Task Init_from_the_faucet_and_actor_changes_land_on_the_remote_devnet()
    {
        using var dir = new TempDirectory();
        await using var devnet = await DevnetProcess.StartAsync(Path.Combine(dir.Path, "devnet"));
        var repo = Path.Combine(dir.Path, "silo");
        var config = TestConfig.OnFreePorts(chain: $"ApiInfo = \"{devnet.ApiInfo}\"");
        config.WriteTo(repo);

        var (noFrom, noFromOutput) = await GranaryProcess.RunAsync(["init", "--repo", repo]);
        Assert.Equal(2, noFrom);
        Assert.Contains("pass --from ADDRESS", noFromOutput);
        Assert.False(File.Exists(Path.Combine(repo, "miner.json")));

        var init = await RepoCli.RunAsync(repo, "init", "--sector-size", "8MiB", "--from", devnet.Faucet);
        Assert.Contains($"from {devnet.Faucet}", init);
        var miner = init.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("t0", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(repo, "devnet.db")));
        Assert.Equal(devnet.Url().ToString(), JsonDocument.Parse(File.ReadAllText(Path.Combine(repo, "miner.json"))).RootElement.GetProperty("Chain").GetString());

        await using var silo = GranaryProcess.Start(["run", "--repo", repo]);
        await silo.WaitHealthyAsync(config.DashboardPort);
        Assert.Contains($"chain: JSON-RPC node {devnet.Url()}", silo.Output);
        var peer = Identity.Generate().PeerId;
        await RepoCli.RunAsync(repo, "actor", "set-peer-id", peer.ToString());
        await RepoCli.RunAsync(repo, "actor", "set-addrs", "/ip4/192.0.2.7/tcp/24001", "/ip6/2001:db8::7/tcp/24001");

        using var chain = ChainRpcClient.FromApiInfo(devnet.ApiInfo);
        var info = await chain.StateMinerInfo(Address.Parse(miner), null);
        Assert.Equal(peer.Multihash.ToArray(), info.PeerId);
        Assert.Equal([Multiaddr.Parse("/ip4/192.0.2.7/tcp/24001").ToBytes(), Multiaddr.Parse("/ip6/2001:db8::7/tcp/24001").ToBytes()], info.Multiaddrs);
        Assert.Equal(8UL << 20, info.SectorSize);
        var workerKey = await chain.StateAccountKey(info.Worker, null);
        Assert.Equal(JsonDocument.Parse(File.ReadAllText(Path.Combine(repo, "miner.json"))).RootElement.GetProperty("Worker").GetString(), workerKey.ToString('t'));
        Assert.Equal(2UL, await chain.MpoolGetNonce(workerKey));

        await silo.TerminateAsync();
        Assert.Equal(0, silo.ExitCode);
    }
}
