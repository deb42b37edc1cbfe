using Granary.Grains.Deals;
using Granary.Grains.Placement;
using Granary.Silo.Database;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Granary.Grains.Tests;

/// <summary>
/// The deal directory's group commit on an in-process cluster of two markets silos with grain state in real SQLite
/// (written one at a time, as a granary silo on SQLite does): concurrent admissions decided against the limits, all
/// stored, and the ledger (reservations kept on the listing pages) read back after the silo hosting it is killed.
/// </summary>
public sealed class DealDirectoryCommitTests
{
    private const long Staging = 2048;

    [Fact]
    public async Task Concurrent_admissions_respect_the_limit_are_all_stored_and_the_ledger_survives_its_silo_being_killed()
    {
        var directory = Directory.CreateTempSubdirectory("granary-deal-directory-").FullName;
        var database = DatabaseTarget.Resolve("sqlite:state.db", directory);
        await SchemaMigrator.ApplyAsync(database);
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UseSubsystems(SubsystemSet.Of(Subsystem.Markets));
            silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
            {
                o.Invariant = database.Invariant;
                o.ConnectionString = database.ConnectionString;
            });
            silo.SerializeGrainStorageWrites(GrainStorage.Name);
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            const string miner = "t01000";
            var ledger = cluster.Client.GetGrain<IDealDirectoryGrain>(miner);
            var capacity = new DealCapacity(500 * Staging, 0);

            // 600 at once against room for 500: exactly 500 admitted, over two listing pages; the rest told why.
            var deals = Enumerable.Range(0, 600).Select(i => Summary(Guid.NewGuid(), DealCheckpoint.Accepted)).ToList();
            var admissions = await Task.WhenAll(deals.Select(d => ledger.Admit(d, Staging, capacity)));
            Assert.Equal(500, admissions.Count(a => a.Admitted));
            Assert.All(admissions.Where(a => !a.Admitted), a => Assert.Contains("MaxStagingBytes", a.Reason));
            Assert.Equal([0, 1], admissions.Where(a => a.Admitted).Select(a => a.Page).Distinct().Order());
            var admitted = deals.Zip(admissions).Where(p => p.Second.Admitted).Select(p => (Deal: p.First, p.Second.Page)).ToList();
            Assert.Equal(new DealDirectoryInfo(miner, 500, 500 * Staging, 0, 500), await ledger.Describe());
            Assert.True((await ledger.Admit(admitted[0].Deal, Staging, capacity)).Admitted); // the same deal again: as before

            // The silo holding the directory dies: a fresh activation on the other reads the same ledger back.
            var host = (await cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics())
                .First(a => a.GrainType.Contains(nameof(DealDirectoryGrain), StringComparison.Ordinal)).SiloAddress;
            await cluster.KillSiloAsync(cluster.Silos.Single(s => s.SiloAddress == host));
            var info = await RetryAsync(() => ledger.Describe());
            Assert.Equal(new DealDirectoryInfo(miner, 500, 500 * Staging, 0, 500), info);
            var listed = await ledger.List(0, 1000);
            Assert.Equal(admitted.Select(a => a.Deal.DealUuid).Order(), listed.Select(d => d.DealUuid).Order());
            Assert.False((await ledger.Admit(Summary(Guid.NewGuid(), DealCheckpoint.Accepted), Staging, capacity)).Admitted);

            // Ten deals reach a sector: their bytes are released (and stored so), and ten more fit.
            await Task.WhenAll(admitted.Take(10).Select(a => ledger.Update(a.Deal with { Checkpoint = DealCheckpoint.AddedPiece }, a.Page)));
            var more = await Task.WhenAll(Enumerable.Range(0, 11).Select(_ => ledger.Admit(Summary(Guid.NewGuid(), DealCheckpoint.Accepted), Staging, capacity)));
            Assert.Equal(10, more.Count(a => a.Admitted));
            Assert.Equal(new DealDirectoryInfo(miner, 510, 500 * Staging, 0, 500), await ledger.Describe());
            Assert.Equal(DealCheckpoint.AddedPiece, (await ledger.List(0, 1000)).Single(d => d.DealUuid == admitted[0].Deal.DealUuid).Checkpoint);

            // Withdrawn: unlisted and released.
            await ledger.Withdraw(admitted[^1].Deal.DealUuid, admitted[^1].Page);
            Assert.Equal(new DealDirectoryInfo(miner, 510, 499 * Staging, 0, 499), await ledger.Describe());
            Assert.DoesNotContain(await ledger.List(0, 1000), d => d.DealUuid == admitted[^1].Deal.DealUuid);
        }
        finally
        {
            await cluster.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static DealSummary Summary(Guid uuid, DealCheckpoint checkpoint) => new(uuid, DateTimeOffset.UnixEpoch, "t1client", "t01000",
        "baga6ea4seaq", 2048, 100, 1000, 600_000, checkpoint, "", true, 0, 0, "gateway");

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (DateTime.UtcNow < until && e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException)
            {
                await Task.Delay(50); // the dead silo is still being declared dead
            }
        }
    }
}
