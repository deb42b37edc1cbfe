using System.Text.Json;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary>Two granary processes on one real PostgreSQL server form one cluster and share grain state.</summary>
public sealed class PostgresClusterTests
{
    [Fact]
    public async Task Two_silo_processes_form_one_cluster_and_share_grain_state()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        using var dir = new TempDirectory();
        var miningRepo = Path.Combine(dir.Path, "miner");
        var marketsRepo = Path.Combine(dir.Path, "markets");
        var mining = TestConfig.OnFreePorts(database, "EnableMarkets = false");
        var markets = TestConfig.OnFreePorts(database, "EnableMining = false\nEnableSealing = false\nEnableSectorStorage = false");
        mining.WriteTo(miningRepo);
        markets.WriteTo(marketsRepo);

        await using var minerSilo = GranaryProcess.Start(["run", "--repo", miningRepo]);
        await minerSilo.WaitHealthyAsync(mining.DashboardPort);
        await using var marketsSilo = GranaryProcess.Start(["run", "--repo", marketsRepo]);
        var health = await marketsSilo.WaitHealthyAsync(markets.DashboardPort, members: 2);

        Assert.Equal("postgresql", health.GetProperty("database").GetString());
        var subsystems = health.GetProperty("members").EnumerateArray()
            .Select(m => string.Join(',', m.GetProperty("subsystems").EnumerateArray().Select(s => s.GetString())))
            .Order().ToArray();
        Assert.Equal(["Markets", "Mining,Sealing,SectorStorage"], subsystems);

        // Both silos recorded their start in one grain, whose state is in PostgreSQL: each sees both.
        foreach (var repo in new[] { miningRepo, marketsRepo })
        {
            var (code, json) = await GranaryProcess.RunAsync(["info", "--json", "--repo", repo]);
            Assert.True(code == 0, json);
            var info = JsonDocument.Parse(json).RootElement;
            Assert.Equal(2, info.GetProperty("ClusterSiloStarts").GetInt64());
            Assert.Equal(2, info.GetProperty("Members").GetArrayLength());
        }
    }
}
