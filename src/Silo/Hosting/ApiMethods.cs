using Granary.Grains.Cluster;
using Granary.Grains.Sealing.Workers;
using Granary.Silo.Api;

namespace Granary.Silo.Hosting;

/// <summary>The JSON-RPC methods this silo serves, with their lotus permission tags.</summary>
internal static class ApiMethods
{
    /// <summary>Lotus's MinerAPIVersion0 (1.5.0) as packed semver, which lotus tooling checks.</summary>
    public const uint MinerApiVersion = (1 << 16) | (5 << 8);

    public static IEnumerable<RpcMethod> Create(ApiToken tokens, ClusterStatus cluster, IGrainFactory grains, MarketsLibp2p libp2p,
        SealingWorkerDirectory sealingWorkers, Granary.Grains.Storage.LocalStorage? storage, SiloIdentity identity, PieceIndexRebuild? pieces = null) =>
    [
        new("Filecoin.Version", Permission.Read, (_, _) => Task.FromResult<object?>(new
        {
            Version = SiloIdentity.Version,
            APIVersion = MinerApiVersion,
            BlockDelay = 30,
        })),
        new("Filecoin.AuthVerify", Permission.Read, (p, _) =>
        {
            var perms = tokens.Verify(p.Get<string>(0, "token"), out var reason)
                ?? throw new RpcException(RpcException.MethodError, reason ?? "invalid token");
            return Task.FromResult<object?>(perms.Select(x => x.Name()).ToArray());
        }),
        new("Filecoin.AuthNew", Permission.Admin, (p, _) =>
        {
            var names = p.Get<string[]>(0, "perms");
            var perms = names.Select(n => Permissions.TryParse(n, out var x) ? x
                : throw new RpcException(RpcException.InvalidParams, $"unknown permission '{n}' (read, write, sign, admin)")).ToArray();
            // Lotus returns the token as []byte, i.e. base64 in JSON.
            return Task.FromResult<object?>(Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(tokens.Issue(perms))));
        }),
        new("Filecoin.RuntimeSubsystems", Permission.Read, (_, _) => Task.FromResult<object?>(cluster.Subsystems)),
        new("Filecoin.ClusterMembers", Permission.Read, async (_, _) => await cluster.MembersAsync()),
        new("Filecoin.ClusterHistory", Permission.Read, async (_, _) => await grains.GetGrain<IClusterHistoryGrain>(0).Get()),
        .. NetMethods.Create(libp2p),
        .. Sealing.SealingMethods.Create(sealingWorkers),
        .. Storage.StorageMethods.Create(storage, grains),
        .. ActorMethods.Create(identity, grains),
        .. DealMethods.Create(identity, grains),
        .. ProvingMethods.Create(identity, grains),
        .. SectorMethods.Create(identity, grains),
        .. DealDataMethods.Create(grains, identity),
        .. BackupMethods.Create(identity),
        .. PieceMethods.Create(pieces),
        .. ServiceMethods.Create(identity, cluster),
    ];
}
