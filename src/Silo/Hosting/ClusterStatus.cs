using Granary.Grains.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Granary.Silo.Hosting;

/// <summary>What this silo knows about itself and the cluster, for <c>/healthz</c> and the API.</summary>
public sealed class ClusterStatus(
    IGrainFactory grains, ILocalSiloDetails local, ISiloMetadataCache metadata, SubsystemSet subsystems, SiloIdentity identity)
{
    /// <summary>One cluster member.</summary>
    public sealed record Member(string Name, string Address, string Host, string Status, IReadOnlyList<string> Subsystems, bool Self);

    /// <summary>This silo's name.</summary>
    public string SiloName => local.Name;

    /// <summary>This silo's subsystems.</summary>
    public IReadOnlyList<string> Subsystems => [.. subsystems.Items.Select(s => s.ToString())];

    /// <summary>The database kind (<c>sqlite</c> or <c>postgresql</c>).</summary>
    public string Database => identity.Database.KindName;

    /// <summary>The active members, from the membership table, with their subsystems.</summary>
    public async Task<IReadOnlyList<Member>> MembersAsync()
    {
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
        return [.. hosts.OrderBy(h => h.SiloName, StringComparer.Ordinal).Select(h => new Member(
            h.SiloName,
            h.SiloAddress.ToParsableString(),
            h.HostName,
            h.Status.ToString(),
            [.. SubsystemSet.FromMetadataValue(metadata.GetSiloMetadata(h.SiloAddress).Metadata
                .GetValueOrDefault(SubsystemSet.MetadataKey)).Items.Select(s => s.ToString())],
            h.SiloAddress.Equals(local.SiloAddress)))];
    }
}
