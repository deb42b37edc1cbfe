using System.Text.Json.Serialization;
using Granary.Chain.Model;

namespace Granary.Chain.Devnet.Mining;

/// <summary>
/// One partition's sectors by state, as persisted. <see cref="Sectors"/> holds every sector ever assigned;
/// terminated and expired ones stay listed (Filecoin keeps them until compaction, which the devnet never does).
/// Invariants: faulty, unproven, recovering ⊆ live; recovering ⊆ faulty; unproven ∩ faulty = ∅.
/// </summary>
public sealed class PartitionState
{
    /// <summary>All sectors assigned here.</summary>
    public SortedSet<ulong> Sectors { get; set; } = [];

    /// <summary>Proven sectors not yet covered by a WindowPoSt; they gain power at their first one.</summary>
    public SortedSet<ulong> Unproven { get; set; } = [];

    /// <summary>Declared or detected faulty.</summary>
    public SortedSet<ulong> Faulty { get; set; } = [];

    /// <summary>Faulty sectors declared recovered, awaiting the next WindowPoSt.</summary>
    public SortedSet<ulong> Recovering { get; set; } = [];

    /// <summary>Terminated early (faulty past the maximum fault age).</summary>
    public SortedSet<ulong> Terminated { get; set; } = [];

    /// <summary>Expired on time.</summary>
    public SortedSet<ulong> Expired { get; set; } = [];

    /// <summary>For each faulty sector, the epoch at whose deadline close it is terminated if still faulty.</summary>
    public SortedDictionary<ulong, long> FaultExpirations { get; set; } = new();

    /// <summary>Sectors neither terminated nor expired.</summary>
    [JsonIgnore]
    public IEnumerable<ulong> Live => Sectors.Where(s => !Terminated.Contains(s) && !Expired.Contains(s));

    /// <summary>Live sectors that are proven and not faulty: the ones with power.</summary>
    [JsonIgnore]
    public IEnumerable<ulong> Active => Live.Where(s => !Faulty.Contains(s) && !Unproven.Contains(s));

    /// <summary>Whether <paramref name="sector"/> is live here.</summary>
    public bool IsLive(ulong sector) => Sectors.Contains(sector) && !Terminated.Contains(sector) && !Expired.Contains(sector);

    /// <summary>Marks live, not yet faulty sectors faulty until <paramref name="faultExpiration"/>; returns the new faults.</summary>
    internal List<ulong> MarkFaulty(IEnumerable<ulong> sectors, long faultExpiration)
    {
        var added = new List<ulong>();
        foreach (var s in sectors)
        {
            if (IsLive(s) && Faulty.Add(s))
            {
                Unproven.Remove(s);
                FaultExpirations[s] = faultExpiration;
                added.Add(s);
            }
            else if (IsLive(s))
            {
                Recovering.Remove(s); // a fault declared again retracts its recovery, as Filecoin does
            }
        }

        return added;
    }

    /// <summary>Makes <paramref name="sectors"/> healthy again (after a WindowPoSt proved them).</summary>
    internal void Heal(IEnumerable<ulong> sectors)
    {
        foreach (var s in sectors)
        {
            Faulty.Remove(s);
            Recovering.Remove(s);
            FaultExpirations.Remove(s);
        }
    }

    /// <summary>Takes <paramref name="sector"/> out of every live state and records it in <paramref name="into"/>.</summary>
    internal void Retire(ulong sector, SortedSet<ulong> into)
    {
        Heal([sector]);
        Unproven.Remove(sector);
        into.Add(sector);
    }

    /// <summary>As <c>StateMinerPartitions</c> returns it.</summary>
    public Partition ToModel() => new(new BitField(Sectors), new BitField(Faulty.Where(IsLive)), new BitField(Recovering.Where(IsLive)),
        new BitField(Live), new BitField(Active));
}
