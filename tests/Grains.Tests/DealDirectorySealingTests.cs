using System.Diagnostics;
using Granary.Chain.Devnet;
using Granary.Grains.Deals;
using Granary.Grains.Placement;
using Granary.Grains.Sectors;
using Granary.Silo.Database;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Granary.Grains.Tests;

/// <summary>
/// The deal directory's read of the deal-sector planner's count (<c>[Dealmaking] MaxSealingSectorsForDeals</c>) when no
/// sealing silo is up and when one comes: a markets silo alone admits (the count unknown, nothing refused on it, the
/// activation not held up); a sealing silo started later is read by an admission after the short back-off; a new
/// directory activation reads it at once; with the sealing silo stopped again a new activation is unknown and admits.
/// In-process cluster, grain state in real SQLite, the planner on a real devnet.
/// </summary>
public sealed class DealDirectorySealingTests
{
    private const string Miner = "t01000";

    [Fact]
    public async Task The_planner_count_is_unknown_without_a_sealing_silo_read_after_a_back_off_once_one_is_up_and_read_at_activation()
    {
        var directory = Directory.CreateTempSubdirectory("granary-deal-directory-sealing-").FullName;
        var database = DatabaseTarget.Resolve("sqlite:state.db", directory);
        await SchemaMigrator.ApplyAsync(database);
        await using var devnet = DevnetNode.Open(new DevnetOptions { DatabasePath = Path.Combine(directory, "devnet.db") });
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((options, silo) =>
        {
            var markets = options.SiloName == "Silo_0";
            silo.UseSubsystems(SubsystemSet.Of(markets ? Subsystem.Markets : Subsystem.Sealing));
            silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
            {
                o.Invariant = database.Invariant;
                o.ConnectionString = database.ConnectionString;
            });
            silo.Services.AddSingleton<Chain.IChainNode>(devnet);
            silo.Services.AddSingleton(new SectorPipelineOptions());
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            var ledger = cluster.Client.GetGrain<IDealDirectoryGrain>(Miner);
            var capacity = new DealCapacity(0, 0, 1);

            // Markets alone: the first activation is not held up, the count is unknown, and the limit refuses nothing.
            var clock = Stopwatch.StartNew();
            Assert.True((await ledger.Admit(Summary(), 2048, capacity)).Admitted);
            Assert.True(clock.Elapsed < DealDirectoryGrain.SealingReadTimeout, $"the first admission took {clock.Elapsed}");
            Assert.True((await ledger.Admit(Summary(), 2048, capacity)).Admitted);
            Assert.Equal(new DealSealingBacklog(false, 0, 0, 0, 4096, 0, -1), await ledger.DescribeSealing());

            // A sealing silo comes: an admission after the back-off starts a read (not awaited by it); the count becomes known.
            var sealing = await cluster.StartAdditionalSiloAsync();
            var deadline = DateTimeOffset.UtcNow + DealDirectoryGrain.SealingRetry + TimeSpan.FromSeconds(20);
            var admitted = 2;
            while (!(await ledger.DescribeSealing()).Known)
            {
                Assert.True(DateTimeOffset.UtcNow < deadline, "the directory never read the planner's count");
                Assert.True((await ledger.Admit(Summary(), 2048, capacity)).Admitted);
                admitted++;
                await Task.Delay(250);
            }

            var known = await ledger.DescribeSealing();
            Assert.Equal((0, 0L, admitted * 2048L), (known.SealingSectors, known.OpenSectorFreeBytes, known.WaitingPieceBytes));
            var planner = await cluster.Client.GetGrain<IDealSectorPlannerGrain>(Miner).SealingLoad();
            Assert.Equal(planner.Version, known.Version);

            // A new activation reads it before its first answer; the ledger itself comes back from storage.
            await cluster.DeactivateAsync(ledger);
            var reactivated = await ledger.DescribeSealing();
            Assert.Equal((true, admitted * 2048L), (reactivated.Known, reactivated.WaitingPieceBytes));

            // The sealing silo stops: a new activation cannot read it, admits on the other limits, and is not held up for long.
            await cluster.StopSiloAsync(sealing);
            await cluster.DeactivateAsync(ledger);
            clock.Restart();
            Assert.True((await ledger.Admit(Summary(), 2048, capacity)).Admitted);
            Assert.True(clock.Elapsed < DealDirectoryGrain.SealingReadTimeout + TimeSpan.FromSeconds(5), $"the admission took {clock.Elapsed}");
            Assert.False((await ledger.DescribeSealing()).Known);
        }
        finally
        {
            await cluster.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static DealSummary Summary() => new(Guid.NewGuid(), DateTimeOffset.UtcNow, "t1client", Miner, "baga6ea4seaq", 2048, 100, 10_000, 600_000,
        DealCheckpoint.Accepted, "", true, 0, 0, "Silo_0");
}
