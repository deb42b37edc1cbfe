namespace Granary.Grains.Proving;

/// <summary>
/// Which proving silo proves each partition of a deadline: the active mining silo holding the most of the
/// partition's sectors (sealed replica and cache), ties to the first by name; a partition none of them holds
/// goes to <c>fallback</c> (the deadline grain's own silo), which fetches the files. A partition is proven by one
/// silo, so one proof covers it; silos share a deadline by taking different partitions.
/// </summary>
public static class PartitionAssignment
{
    /// <summary>The silo for each partition.</summary>
    /// <param name="partitions">Each partition's sectors.</param>
    /// <param name="holders">Each sector's holding silos (missing: none).</param>
    /// <param name="provers">The active mining silos.</param>
    /// <param name="fallback">Where a partition no prover holds goes.</param>
    public static Dictionary<ulong, string> Assign(IReadOnlyDictionary<ulong, ulong[]> partitions, IReadOnlyDictionary<ulong, HashSet<string>> holders,
        IReadOnlyCollection<string> provers, string fallback)
    {
        var result = new Dictionary<ulong, string>();
        foreach (var (partition, sectors) in partitions)
        {
            var best = provers
                .Select(p => (Silo: p, Held: sectors.Count(s => holders.TryGetValue(s, out var h) && h.Contains(p))))
                .Where(c => c.Held > 0)
                .OrderByDescending(c => c.Held)
                .ThenBy(c => c.Silo, StringComparer.Ordinal)
                .Select(c => c.Silo)
                .FirstOrDefault();
            result[partition] = best ?? fallback;
        }

        return result;
    }

    /// <summary>
    /// The WindowPoSt messages for an assignment: each silo's partitions in ascending order, at most
    /// <paramref name="perMessage"/> per message (one proof per message, so a message never mixes silos).
    /// </summary>
    public static List<(string Silo, ulong[] Partitions)> Batches(IReadOnlyDictionary<ulong, string> assignment, int perMessage) =>
        [.. assignment
            .GroupBy(a => a.Value, a => a.Key)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.Order().Chunk(Math.Max(1, perMessage)).Select(c => (g.Key, c)))];
}
