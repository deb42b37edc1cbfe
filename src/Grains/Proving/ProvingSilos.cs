using Granary.Grains.Placement;
using Granary.Grains.Storage;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Granary.Grains.Proving;

/// <summary>
/// The silos that prove: the active members whose metadata enables mining, where a miner's sector files are
/// (from the sector index), and each such silo's <see cref="IProvingWorkerGrain"/>.
/// </summary>
public sealed class ProvingSilos(IGrainFactory grains, IClusterMembershipService membership, ISiloMetadataCache metadata)
{
    /// <summary>The active mining silos by name, in name order.</summary>
    public IReadOnlyList<string> Names() =>
        [.. Members().Select(m => m.Name).OrderBy(n => n, StringComparer.Ordinal)];

    /// <summary>The worker of the active mining silo named <paramref name="silo"/>.</summary>
    /// <exception cref="ProvingWorkerUnavailableException">No such active mining silo.</exception>
    public IProvingWorkerGrain Worker(string silo)
    {
        var member = Members().FirstOrDefault(m => m.Name == silo)
            ?? throw new ProvingWorkerUnavailableException(silo, "it is not an active mining silo");
        return grains.GetGrain<IProvingWorkerGrain>(member.SiloAddress.ToParsableString());
    }

    /// <summary>
    /// For each sector, the silos the sector index lists with both its sealed replica and its cache on a path
    /// that is heard from. A sector the index cannot answer for has no holders (its partition is proven by a
    /// silo that fetches).
    /// </summary>
    public async Task<Dictionary<ulong, HashSet<string>>> HoldersAsync(ulong miner, IEnumerable<ulong> sectors)
    {
        var index = grains.GetGrain<ISectorIndexGrain>(0);
        var result = new Dictionary<ulong, HashSet<string>>();
        foreach (var number in sectors)
        {
            var id = new SectorId(miner, number);
            try
            {
                var replicas = await index.FindSector(id, SectorFileType.Sealed);
                var caches = await index.FindSector(id, SectorFileType.Cache);
                var holding = replicas.Where(l => l.Available).Select(l => l.Silo).ToHashSet(StringComparer.Ordinal);
                holding.IntersectWith(caches.Where(l => l.Available).Select(l => l.Silo));
                result[number] = holding;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                result[number] = [];
            }
        }

        return result;
    }

    private IEnumerable<ClusterMember> Members() =>
        membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active && EnablesMining(m.SiloAddress));

    private bool EnablesMining(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(SubsystemSet.MetadataKey, out var value)
        && SubsystemSet.FromMetadataValue(value).Contains(Subsystem.Mining);
}
