using Granary.Grains.Proving;
using Granary.Silo.Chain;
using Granary.Silo.Hosting;

namespace Granary.Silo.Proving;

/// <summary>
/// Proving on a granary silo: every silo can place proving workers; a silo with <c>EnableMining</c> follows the
/// chain for the miner in its repo's <c>miner.json</c> (none: it proves nothing) with the <c>[Proving]</c> budgets.
/// </summary>
public static class SiloProving
{
    /// <summary>Registers proving (see <see cref="ProvingHosting.UseProving"/>).</summary>
    public static ISiloBuilder AddGranaryProving(this ISiloBuilder silo, SiloIdentity identity) =>
        silo.UseProving(identity.Config.Subsystems.ToSet(), identity.Config.Proving.ToOptions(), () => MinerFile.Read(identity.Repo.Root)?.Miner);
}
