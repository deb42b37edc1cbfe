using Granary.Silo.Api;
using Granary.Silo.Chain;

namespace Granary.Silo.Hosting;

/// <summary>
/// <c>Filecoin.ServiceJoinInfo</c> (admin): what <c>granary init service</c> needs to make a gateway repo that joins this
/// silo's cluster — the miner (the repo's <c>miner.json</c>, which holds no key), the Orleans cluster and service ids,
/// the database kind, this silo's name and address, and whether the chain is the embedded devnet.
/// </summary>
internal static class ServiceMethods
{
    public static IEnumerable<RpcMethod> Create(SiloIdentity identity, ClusterStatus cluster) =>
    [
        new("Filecoin.ServiceJoinInfo", Permission.Admin, async (_, _) =>
        {
            var miner = MinerFile.Read(identity.Repo.Root)
                ?? throw new RpcException(RpcException.MethodError,
                    $"this silo's repo {identity.Repo.Root} has no miner: run `granary init --repo {identity.Repo.Root}` (with the silo stopped)");
            var self = (await cluster.MembersAsync()).FirstOrDefault(m => m.Self);
            return new
            {
                Miner = miner,
                identity.Config.Cluster.ClusterId,
                identity.Config.Cluster.ServiceId,
                Database = identity.Database.KindName,
                Silo = cluster.SiloName,
                SiloAddress = self?.Address ?? "",
                ChainEmbedded = identity.Config.Chain.Embedded,
                cluster.Subsystems,
            };
        }),
    ];
}
