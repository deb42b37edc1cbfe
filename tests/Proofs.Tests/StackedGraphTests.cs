using Granary.Proofs.Graph;

namespace Granary.Proofs.Tests;

public sealed class StackedGraphTests
{
    [Fact]
    public void Base_parents_precede_the_node_and_include_its_predecessor()
    {
        var graph = StackedGraph.For(1 << 12, SealProofType.Sector2KiB.PoRepId);

        for (var node = 2; node < graph.Nodes; node++)
        {
            var parents = graph.BaseParentsOf(node);
            Assert.Contains(node - 1, parents.ToArray());
            Assert.All(parents.ToArray(), p => Assert.InRange(p, 0, node - 1));
        }
    }

    [Fact]
    public void Expander_parents_cover_the_previous_layer_like_a_permutation()
    {
        const int nodes = 1 << 12;
        var graph = StackedGraph.For(nodes, SealProofType.Sector2KiB.PoRepId);
        var hits = new int[nodes];

        for (var node = 0; node < nodes; node++)
        {
            foreach (var p in graph.ExpanderParentsOf(node))
            {
                hits[p]++;
            }
        }

        // A permutation of node·8+i, divided by 8: every node is the expander parent exactly 8 times.
        Assert.All(hits, h => Assert.Equal(StackedGraph.ExpanderDegree, h));
    }

    [Fact]
    public void The_table_matches_single_node_computation_and_depends_on_the_porep_id()
    {
        var a = StackedGraph.For(1 << 10, SealProofType.Sector2KiB.PoRepId);
        var b = StackedGraph.For(1 << 10, SealProofType.Sector8MiB.PoRepId);
        Span<int> parents = stackalloc int[StackedGraph.Degree];
        var differ = 0;

        for (var node = 0; node < a.Nodes; node++)
        {
            StackedGraph.ParentsOf(a.Nodes, SealProofType.Sector2KiB.PoRepId, node, parents);
            Assert.Equal(a.BaseParentsOf(node).ToArray(), parents[..StackedGraph.BaseDegree].ToArray());
            Assert.Equal(a.ExpanderParentsOf(node).ToArray(), parents[StackedGraph.BaseDegree..].ToArray());
            differ += a.ExpanderParentsOf(node).SequenceEqual(b.ExpanderParentsOf(node)) ? 0 : 1;
        }

        Assert.True(differ > a.Nodes / 2);
    }
}

public sealed class LaneLabelingTests
{
    [Fact]
    public void Labeling_sectors_in_lanes_gives_the_same_labels_as_one_at_a_time()
    {
        const int nodes = 1 << 10;
        var graph = StackedGraph.For(nodes, SealProofType.Sector2KiB.PoRepId);
        var random = new Random(3);
        var ids = Enumerable.Range(0, 19).Select(_ =>
        {
            var id = new byte[32];
            random.NextBytes(id);
            id[31] &= 0x3F;
            return id;
        }).ToArray();

        var layer1 = ids.Select(_ => new byte[nodes * 32]).ToArray();
        var layer2 = ids.Select(_ => new byte[nodes * 32]).ToArray();
        Granary.Proofs.Sdr.Labeler.LabelLayers(graph, ids, 1, [], layer1);
        Granary.Proofs.Sdr.Labeler.LabelLayers(graph, ids, 2, layer1, layer2);

        for (var s = 0; s < ids.Length; s++)
        {
            var one1 = new byte[nodes * 32];
            var one2 = new byte[nodes * 32];
            Granary.Proofs.Sdr.Labeler.LabelLayer(graph, ids[s], 1, [], one1);
            Granary.Proofs.Sdr.Labeler.LabelLayer(graph, ids[s], 2, one1, one2);
            Assert.Equal(one1, layer1[s]);
            Assert.Equal(one2, layer2[s]);
        }
    }
}
