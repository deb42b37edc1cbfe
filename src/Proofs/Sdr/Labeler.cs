using System.Buffers.Binary;
using System.Security.Cryptography;
using Granary.Proofs.Graph;
using Granary.Filecoin.Hashing;

namespace Granary.Proofs.Sdr;

/// <summary>
/// SDR labeling. Node v of layer l gets SHA-256-trunc254 over a 64-byte prefix (replica id, layer as
/// big-endian u32, node as big-endian u64, zeros) and 37 parent slots of 32 bytes, filled cyclically from
/// the 6 same-layer parents (layer 1) or those plus the 8 previous-layer expander parents (later layers),
/// as Filecoin's SDR does. Labels within a layer depend on each other, so a layer is sequential work.
/// </summary>
public static class Labeler
{
    // Labels of several large sectors are bound by memory latency (parents are random reads across
    // gigabytes); asking for a later node's parents while this node hashes hides most of it.
    private const int PrefetchDistance = 2;

    /// <summary>Parent slots hashed per label.</summary>
    public const int ParentSlots = 37;

    /// <summary>Bytes hashed per label.</summary>
    public const int InputBytes = 64 + (ParentSlots * 32);

    /// <summary>Labels one layer into <paramref name="layer"/> (nodes × 32 bytes).</summary>
    /// <param name="previous">The previous layer's labels; empty for layer 1.</param>
    public static void LabelLayer(StackedGraph graph, ReadOnlySpan<byte> replicaId, int layerIndex,
        ReadOnlySpan<byte> previous, Span<byte> layer, CancellationToken cancellationToken = default)
    {
        if (layer.Length != graph.Nodes * 32 || (layerIndex > 1 && previous.Length != layer.Length))
        {
            throw new ArgumentException("layer buffers must hold exactly one label per node");
        }

        Span<byte> input = stackalloc byte[InputBytes];
        input.Clear();
        replicaId.CopyTo(input);
        BinaryPrimitives.WriteUInt32BigEndian(input[32..], (uint)layerIndex);
        for (var node = 0; node < graph.Nodes; node++)
        {
            if ((node & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            Label(graph, input, layerIndex, node, layer, previous, layer.Slice(node * 32, 32));
        }
    }

    /// <summary>
    /// Labels the same layer of several sectors of one size and PoRep id at once, hashing their labels for
    /// each node in SIMD lanes (as supraseal labels many sectors together). Gives exactly the labels
    /// <see cref="LabelLayer"/> gives one sector at a time.
    /// </summary>
    /// <param name="replicaIds">One 32-byte replica id per sector.</param>
    /// <param name="previous">Each sector's previous layer (ignored for layer 1).</param>
    /// <param name="layers">Each sector's layer to fill.</param>
    /// <param name="nodeCount">Label only the first nodes (benchmarks); default all.</param>
    public static void LabelLayers(StackedGraph graph, IReadOnlyList<byte[]> replicaIds, int layerIndex,
        IReadOnlyList<byte[]> previous, IReadOnlyList<byte[]> layers, CancellationToken cancellationToken = default, int? nodeCount = null)
    {
        var sectors = replicaIds.Count;
        if (layers.Count != sectors || (layerIndex > 1 && previous.Count != sectors) || layers.Any(l => l.Length != graph.Nodes * 32))
        {
            throw new ArgumentException("one replica id, previous layer and layer buffer per sector, each one label per node");
        }

        var messages = new byte[sectors * InputBytes];
        var digests = new byte[sectors * 32];
        for (var s = 0; s < sectors; s++)
        {
            replicaIds[s].CopyTo(messages, s * InputBytes);
            BinaryPrimitives.WriteUInt32BigEndian(messages.AsSpan((s * InputBytes) + 32), (uint)layerIndex);
        }

        var count = layerIndex == 1 ? StackedGraph.BaseDegree : StackedGraph.Degree;
        var end = Math.Min(nodeCount ?? graph.Nodes, graph.Nodes);
        for (var node = 0; node < end; node++)
        {
            if ((node & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (node + PrefetchDistance < end)
            {
                ParentPrefetch.Request(graph, node + PrefetchDistance, layers, layerIndex == 1 ? null : previous);
            }

            var baseParents = graph.BaseParentsOf(node);
            var expander = graph.ExpanderParentsOf(node);
            for (var s = 0; s < sectors; s++)
            {
                var message = messages.AsSpan(s * InputBytes, InputBytes);
                BinaryPrimitives.WriteUInt64BigEndian(message[36..], (ulong)node);
                for (var slot = 0; slot < count; slot++)
                {
                    var source = slot < StackedGraph.BaseDegree
                        ? layers[s].AsSpan(baseParents[slot] * 32, 32)
                        : previous[s].AsSpan(expander[slot - StackedGraph.BaseDegree] * 32, 32);
                    source.CopyTo(message.Slice(64 + (slot * 32), 32));
                }

                RepeatParents(message, count);
            }

            Sha256Lanes.Hash(messages, InputBytes, digests);
            for (var s = 0; s < sectors; s++)
            {
                var label = layers[s].AsSpan(node * 32, 32);
                digests.AsSpan(s * 32, 32).CopyTo(label);
                label[31] &= 0x3F;
            }
        }
    }

    /// <summary>
    /// Recomputes one label from its parents' labels (as a verifier does): <paramref name="baseLabels"/> are
    /// the 6 same-layer parents' labels, <paramref name="expanderLabels"/> the 8 previous-layer ones (empty for layer 1).
    /// </summary>
    public static void LabelFromParents(ReadOnlySpan<byte> replicaId, int layerIndex, int node,
        ReadOnlySpan<byte> baseLabels, ReadOnlySpan<byte> expanderLabels, Span<byte> label)
    {
        Span<byte> input = stackalloc byte[InputBytes];
        input.Clear();
        replicaId.CopyTo(input);
        BinaryPrimitives.WriteUInt32BigEndian(input[32..], (uint)layerIndex);
        BinaryPrimitives.WriteUInt64BigEndian(input[36..], (ulong)node);
        var count = layerIndex == 1 ? StackedGraph.BaseDegree : StackedGraph.Degree;
        for (var slot = 0; slot < ParentSlots; slot++)
        {
            var p = slot % count;
            var source = p < StackedGraph.BaseDegree ? baseLabels.Slice(p * 32, 32) : expanderLabels.Slice((p - StackedGraph.BaseDegree) * 32, 32);
            source.CopyTo(input.Slice(64 + (slot * 32), 32));
        }

        Finish(input, label);
    }

    private static void Label(StackedGraph graph, Span<byte> input, int layerIndex, int node,
        ReadOnlySpan<byte> current, ReadOnlySpan<byte> previous, Span<byte> label)
    {
        BinaryPrimitives.WriteUInt64BigEndian(input[36..], (ulong)node);
        var baseParents = graph.BaseParentsOf(node);
        var expander = graph.ExpanderParentsOf(node);
        var count = layerIndex == 1 ? StackedGraph.BaseDegree : StackedGraph.Degree;
        for (var slot = 0; slot < ParentSlots; slot++)
        {
            var p = slot % count;
            var source = p < StackedGraph.BaseDegree
                ? current.Slice(baseParents[p] * 32, 32)           // node 0/1: parent 0, still zero for node 0
                : previous.Slice(expander[p - StackedGraph.BaseDegree] * 32, 32);
            source.CopyTo(input.Slice(64 + (slot * 32), 32));
        }

        Finish(input, label);
    }

    // Slots past the parent count repeat the parents cyclically: copy the filled prefix forward in runs
    // (the source never overlaps the destination of one copy) instead of gathering each parent again.
    private static void RepeatParents(Span<byte> message, int count)
    {
        var parents = message.Slice(64, ParentSlots * 32);
        for (var filled = count; filled < ParentSlots;)
        {
            var run = Math.Min(filled, ParentSlots - filled);
            parents[..(run * 32)].CopyTo(parents.Slice(filled * 32, run * 32));
            filled += run;
        }
    }

    private static void Finish(ReadOnlySpan<byte> input, Span<byte> label)
    {
        SHA256.HashData(input, label);
        label[31] &= 0x3F;
    }
}
