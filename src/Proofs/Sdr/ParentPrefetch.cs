using System.Runtime.Intrinsics.X86;
using Granary.Proofs.Graph;

namespace Granary.Proofs.Sdr;

/// <summary>Software prefetch of a node's parent labels in every sector labeled together.</summary>
internal static class ParentPrefetch
{
    /// <summary>Asks the CPU to start loading <paramref name="node"/>'s parents; a no-op without SSE.</summary>
    public static unsafe void Request(StackedGraph graph, int node, IReadOnlyList<byte[]> layers, IReadOnlyList<byte[]>? previous)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        var baseParents = graph.BaseParentsOf(node);
        var expander = graph.ExpanderParentsOf(node);
        for (var s = 0; s < layers.Count; s++)
        {
            fixed (byte* current = layers[s])
            {
                foreach (var p in baseParents)
                {
                    Sse.Prefetch0(current + ((long)p * 32));
                }
            }

            if (previous is null)
            {
                continue;
            }

            fixed (byte* before = previous[s])
            {
                foreach (var p in expander)
                {
                    Sse.Prefetch0(before + ((long)p * 32));
                }
            }
        }
    }
}
