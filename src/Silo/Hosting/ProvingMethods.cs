using Granary.Grains.Placement;
using Granary.Grains.Proving;
using Granary.Silo.Api;
using Granary.Silo.Chain;

namespace Granary.Silo.Hosting;

/// <summary>
/// What <c>granary proving …</c> shows, for this silo's miner (<c>REPO/miner.json</c>): <c>ProvingInfo</c>,
/// <c>ProvingDeadlines</c>, <c>ProvingFaults</c> (read) and <c>ProvingCheck DEADLINE</c> (admin, as lotus-miner's
/// <c>CheckProvable</c>). lotus-miner's CLI reads most of this from the full node; here the miner's proving scheduler
/// (a grain on a mining silo) reads the chain and adds what the cluster did: the messages sent, the WinningPoSts.
/// </summary>
internal static class ProvingMethods
{
    public static IEnumerable<RpcMethod> Create(SiloIdentity identity, IGrainFactory grains) =>
    [
        new("Filecoin.ProvingInfo", Permission.Read, async (_, _) => Describe(await Call(() => Scheduler(identity, grains).Info()))),
        new("Filecoin.ProvingDeadlines", Permission.Read, async (_, _) => await Call(() => Scheduler(identity, grains).Deadlines())),
        new("Filecoin.ProvingFaults", Permission.Read, async (_, _) => await Call(() => Scheduler(identity, grains).Faults())),
        new("Filecoin.ProvingCheck", Permission.Admin, async (p, _) =>
        {
            var deadline = p.Get<long>(0, "deadline");
            if (deadline < 0)
            {
                throw new RpcException(RpcException.InvalidParams, $"param 0 (deadline): {deadline} is not a deadline index");
            }

            return await Call(() => Scheduler(identity, grains).Check((ulong)deadline));
        }),
    ];

    private static IProvingSchedulerGrain Scheduler(SiloIdentity identity, IGrainFactory grains)
    {
        var miner = MinerFile.Read(identity.Repo.Root)
            ?? throw new RpcException(RpcException.MethodError,
                $"this silo's repo {identity.Repo.Root} has no miner: run `granary init --repo {identity.Repo.Root}` (with the silo stopped)");
        return grains.GetGrain<IProvingSchedulerGrain>(miner.Miner);
    }

    // The grain's refusals are the caller's answer (one line), not a server fault.
    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is ProvingException or SubsystemUnavailableException or TimeoutException or Granary.Chain.ChainException)
        {
            throw new RpcException(RpcException.MethodError, e.Message);
        }
    }

    private static object Describe(ProvingInfo i) => new
    {
        i.Miner,
        i.CurrentEpoch,
        i.PeriodStart,
        ProvingPeriodBoundary = ((i.PeriodStart % i.ProvingPeriod) + i.ProvingPeriod) % i.ProvingPeriod,
        NextPeriodStart = i.PeriodStart + i.ProvingPeriod,
        i.ProvingPeriod,
        i.PeriodDeadlines,
        Deadline = new
        {
            i.Deadline.Index,
            i.Deadline.Open,
            i.Deadline.Close,
            i.Deadline.Challenge,
            i.Deadline.FaultCutoff,
            Partitions = i.DeadlinePartitions,
            Sectors = i.DeadlineSectors,
        },
        i.Sectors,
        i.Active,
        i.Faults,
        i.Recovering,
        Scheduler = new { i.Status.Silo, i.Status.Head, i.Status.Settled },
        i.Status.Winning,
        i.Status.WinningCount,
        i.Provers,
    };
}
