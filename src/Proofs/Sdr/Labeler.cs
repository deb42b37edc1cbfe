using System.Buffers.Binary;
using System.Security.Cryptography;
using Granary.Proofs.Graph;

namespace Granary.Proofs.Sdr;

/// <summary>
/// SDR labeling. Node v of layer l gets SHA-256-trunc254 over a 64-byte prefix (replica id, layer as
/// big-endian u32, node as big-endian u64, zeros) and 37 parent slots of 32 bytes, filled cyclically from
/// the 6 same-layer parents (layer 1) or those plus the 8 previous-layer expander parents (later layers),
/// as Filecoin's SDR does. Labels within a layer depend on each other, so a layer is sequential work.
/// </summary>
public static class Labeler
{
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

    private static void Finish(ReadOnlySpan<byte> input, Span<byte> label)
    {
        SHA256.HashData(input, label);
        label[31] &= 0x3F;
    }
}
