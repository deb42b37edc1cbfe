using Granary.Grains.Placement;
using Granary.Grains.Sealing.Workers;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Granary.Grains.Tests;

/// <summary>
/// "Is the silo that ran sector N's PreCommit1 still there?" from Orleans membership: here, alive elsewhere,
/// gone (wait), lost after <c>ScratchLostAfter</c> (restart from the unsealed pieces); a killed silo's pool drops
/// out of <c>sealing jobs</c>.
/// </summary>
public sealed class SealingWorkerScratchTests : IAsyncLifetime
{
    private static readonly TimeSpan LostAfter = TimeSpan.FromMinutes(5);
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            var subsystems = SubsystemSet.Of(Subsystem.Sealing);
            silo.UseSubsystems(subsystems);
            silo.UseSealingWorkers(subsystems, new SealingWorkerOptions { Cores = 1, Memory = 1L << 30, ScratchLostAfter = LostAfter });
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

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Scratch_is_here_alive_gone_or_lost_as_membership_and_time_say()
    {
        var (first, second) = (_cluster.Silos.Single(s => s.Name == "Silo_0"), _cluster.Silos.Single(s => s.Name == "Silo_1"));
        var watch = _cluster.GetSiloServiceProvider(first.SiloAddress).GetRequiredService<ScratchSiloWatch>();
        var holder = _cluster.GetSiloServiceProvider(second.SiloAddress).GetRequiredService<ScratchSiloWatch>().Here;
        Assert.Equal(LostAfter, watch.ScratchLostAfter);
        Assert.Equal(("Silo_1", second.SiloAddress.Endpoint.ToString()), (holder.Silo, holder.Endpoint));

        Assert.Equal(new ScratchCheck(ScratchState.Here, null, first.SiloAddress), watch.Check(watch.Here, null));
        Assert.Equal(new ScratchCheck(ScratchState.Alive, null, second.SiloAddress), watch.Check(holder, null));

        await _cluster.KillSiloAsync(second);
        await _cluster.WaitForLivenessToStabilizeAsync(didKill: true);

        var before = DateTimeOffset.UtcNow;
        var gone = watch.Check(holder, null);
        Assert.Equal(ScratchState.Gone, gone.State);
        Assert.InRange(gone.GoneSince!.Value, before, DateTimeOffset.UtcNow);
        Assert.Null(gone.Silo);
        // The sector grain persists GoneSince and passes it back; it stays the same while the silo is away.
        Assert.Equal(gone, watch.Check(holder, gone.GoneSince));
        var lost = watch.Check(holder, DateTimeOffset.UtcNow - LostAfter - TimeSpan.FromSeconds(1));
        Assert.Equal(ScratchState.Lost, lost.State);

        // A silo that never existed is gone too, never "here" or "alive".
        Assert.Equal(ScratchState.Gone, watch.Check(new ScratchHolder("elsewhere", "10.9.9.9:11111"), null).State);

        // The killed silo's pool is no longer listed, and its worker grain cannot be placed.
        var directory = _cluster.GetSiloServiceProvider(first.SiloAddress).GetRequiredService<SealingWorkerDirectory>();
        Assert.Equal(["Silo_0"], (await directory.SnapshotsAsync()).Select(s => s.Silo));
        await Assert.ThrowsAsync<SealingWorkerUnavailableException>(() =>
            _cluster.Client.GetGrain<ISealingWorkerGrain>(second.SiloAddress.ToParsableString()).Snapshot());
    }
}
