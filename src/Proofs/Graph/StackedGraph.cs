using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Granary.Proofs.Graph;

/// <summary>
/// The SDR parent graph of one sector size and PoRep id: for every node, <see cref="BaseDegree"/> parents
/// in the same layer (a depth-robust graph by bucket sampling, always including node − 1) and
/// <see cref="ExpanderDegree"/> parents in the previous layer (an expander built from a Feistel
/// permutation), as in Filecoin's StackedDrg. Deterministic from the PoRep id; built once per process and
/// shared.
/// </summary>
public sealed class StackedGraph
{
    /// <summary>Same-layer (DRG) parents per node.</summary>
    public const int BaseDegree = 6;

    /// <summary>Previous-layer (expander) parents per node.</summary>
    public const int ExpanderDegree = 8;

    /// <summary>All parents per node.</summary>
    public const int Degree = BaseDegree + ExpanderDegree;

    private const int FeistelRounds = 3;
    private static readonly ConcurrentDictionary<(string, long), Lazy<StackedGraph>> Cache = new();

    private readonly int[] _parents;

    private StackedGraph(long nodes, byte[] poRepId)
    {
        if (nodes is < 2 or > int.MaxValue / Degree)
        {
            throw new ArgumentOutOfRangeException(nameof(nodes), $"{nodes} nodes: the in-memory parent table supports 2 to {int.MaxValue / Degree}");
        }

        Nodes = (int)nodes;
        var seed = SHA256.HashData(poRepId);
        _parents = new int[Nodes * Degree];
        var drgSeed = BitConverter.ToUInt64(seed, 0);
        var expanderKeys = Enumerable.Range(0, FeistelRounds).Select(i => BitConverter.ToUInt64(seed, 8 + (i * 8))).ToArray();
        Parallel.For(0, (Nodes + 4095) / 4096, new ParallelOptions { TaskScheduler = TaskScheduler.Current }, chunk =>
        {
            var end = Math.Min(Nodes, (chunk + 1) * 4096);
            for (var node = chunk * 4096; node < end; node++)
            {
                var row = _parents.AsSpan(node * Degree, Degree);
                BaseParents(node, drgSeed, row[..BaseDegree]);
                ExpanderParents(node, (ulong)Nodes, expanderKeys, row[BaseDegree..]);
            }
        });
    }

    /// <summary>Nodes per layer.</summary>
    public int Nodes { get; }

    /// <summary>The graph for <paramref name="nodes"/> nodes and <paramref name="poRepId"/>, built on first use.</summary>
    public static StackedGraph For(long nodes, byte[] poRepId) =>
        Cache.GetOrAdd((Convert.ToHexString(poRepId), nodes), key => new Lazy<StackedGraph>(() => new StackedGraph(key.Item2, poRepId))).Value;

    /// <summary>
    /// Computes one node's parents (6 base, then 8 expander) without building the table: what a verifier
    /// uses, and the same function the table is built from.
    /// </summary>
    public static void ParentsOf(long nodes, byte[] poRepId, int node, Span<int> parents)
    {
        var seed = SHA256.HashData(poRepId);
        var keys = Enumerable.Range(0, FeistelRounds).Select(i => BitConverter.ToUInt64(seed, 8 + (i * 8))).ToArray();
        BaseParents(node, BitConverter.ToUInt64(seed, 0), parents[..BaseDegree]);
        ExpanderParents(node, (ulong)nodes, keys, parents[BaseDegree..]);
    }

    /// <summary>Same-layer parents of <paramref name="node"/>; all are smaller than the node (node 0 and 1: zero).</summary>
    public ReadOnlySpan<int> BaseParentsOf(int node) => _parents.AsSpan(node * Degree, BaseDegree);

    /// <summary>Previous-layer parents of <paramref name="node"/>.</summary>
    public ReadOnlySpan<int> ExpanderParentsOf(int node) => _parents.AsSpan((node * Degree) + BaseDegree, ExpanderDegree);

    // DRSample bucket sampling over a metagraph of m' = BaseDegree − 1 copies per node (Filecoin's BucketGraph).
    private static void BaseParents(int node, ulong seed, Span<int> parents)
    {
        if (node < 2)
        {
            parents.Clear();
            return;
        }

        const ulong mPrime = BaseDegree - 1;
        var rng = new SplitMix64(SplitMix64.Mix(seed, (ulong)node));
        var metaNode = (ulong)node * mPrime;
        var buckets = (ulong)Math.Ceiling(Math.Log2(metaNode));
        for (var k = 0; k < (int)mPrime; k++)
        {
            var bucket = (rng.Next() % buckets) + 1;
            var largest = Math.Min(metaNode, 1UL << (int)bucket);
            var smallest = Math.Max(2UL, largest >> 1);
            var distance = smallest + (rng.Next() % (largest - smallest + 1));
            var parent = (int)((metaNode - distance) / mPrime);
            parents[k] = parent == node ? node - 1 : parent;
        }

        parents[(int)mPrime] = node - 1;
    }

    private static void ExpanderParents(int node, ulong nodes, ulong[] keys, Span<int> parents)
    {
        var domain = nodes * ExpanderDegree;
        for (var i = 0; i < ExpanderDegree; i++)
        {
            parents[i] = (int)(Permute(((ulong)node * ExpanderDegree) + (ulong)i, domain, keys) / ExpanderDegree);
        }
    }

    // A Feistel permutation of [0, domain): balanced over the next even bit width, cycle-walking back into range.
    private static ulong Permute(ulong value, ulong domain, ulong[] keys)
    {
        var bits = 64 - ulong.LeadingZeroCount(domain - 1);
        var half = (int)((bits + 1) / 2);
        var mask = (1UL << half) - 1;
        do
        {
            var left = value >> half;
            var right = value & mask;
            foreach (var key in keys)
            {
                (left, right) = (right, left ^ (SplitMix64.Mix(key, right) & mask));
            }

            value = (left << half) | right;
        }
        while (value >= domain);

        return value;
    }
}
