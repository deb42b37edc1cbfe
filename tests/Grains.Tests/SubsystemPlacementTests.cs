using Granary.Grains.Placement;
using Granary.Silo.Database;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Granary.Grains.Tests;

/// <summary>
/// A heterogeneous cluster: a markets-only, a sealing-only and a mining-only silo, grain state in a real
/// SQLite database. Grains land only on silos whose subsystems allow them.
/// </summary>
public sealed class SubsystemPlacementTests : IAsyncLifetime
{
    private static readonly Dictionary<string, Subsystem> Roles = new()
    {
        ["Silo_0"] = Subsystem.Markets,
        ["Silo_1"] = Subsystem.Sealing,
        ["Silo_2"] = Subsystem.Mining,
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("granary-placement-").FullName;
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var database = DatabaseTarget.Resolve("sqlite:state.db", _directory);
        await SchemaMigrator.ApplyAsync(database);

        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((options, silo) =>
        {
            // Silos added later (Silo_3, ...) are sealing silos.
            silo.UseSubsystems(SubsystemSet.Of(Roles.GetValueOrDefault(options.SiloName, Subsystem.Sealing)));
            silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
            {
                o.Invariant = database.Invariant;
                o.ConnectionString = database.ConnectionString;
            });
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Hundreds_of_activations_land_only_on_silos_that_enable_their_subsystem()
    {
        var client = _cluster.Client;
        var placed = await Task.WhenAll(Enumerable.Range(0, 150).SelectMany(i => new[]
        {
            Where(client.GetGrain<ISealingProbe>(i), "Silo_1"),
            Where(client.GetGrain<IMarketsProbe>(i), "Silo_0"),
            Where(client.GetGrain<IMiningProbe>(i), "Silo_2"),
        }));

        Assert.Equal(450, placed.Length);
        Assert.All(placed, p => Assert.Equal(p.Expected, p.Actual));
    }

    [Fact]
    public async Task Without_a_sealing_silo_calls_fail_naming_the_subsystem_and_a_new_one_resumes_with_state()
    {
        var client = _cluster.Client;
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(1, await client.GetGrain<ISealingProbe>(i).Increment());
        }

        var sealing = _cluster.Silos.Single(s => s.Name == "Silo_1");
        await _cluster.KillSiloAsync(sealing);
        await _cluster.WaitForLivenessToStabilizeAsync(didKill: true);

        var error = await Assert.ThrowsAsync<SubsystemUnavailableException>(() => client.GetGrain<ISealingProbe>(0).Increment());
        Assert.Equal(Subsystem.Sealing, error.Subsystem);
        Assert.Contains("Sealing subsystem", error.Message);
        // Other roles keep serving.
        Assert.Equal("Silo_0", await client.GetGrain<IMarketsProbe>(0).Where());

        var replacement = await _cluster.StartAdditionalSiloAsync();
        await _cluster.WaitForLivenessToStabilizeAsync();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(2, await client.GetGrain<ISealingProbe>(i).Increment());
            Assert.Equal(replacement.Name, await client.GetGrain<ISealingProbe>(i).Where());
        }
    }

    private static async Task<(string Expected, string Actual)> Where(IProbeGrain grain, string expected) =>
        (expected, await grain.Where());
}
