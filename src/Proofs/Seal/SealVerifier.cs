using Granary.Proofs.Fields;
using Granary.Proofs.Graph;
using Granary.Filecoin.Hashing;
using Granary.Proofs.Sdr;

namespace Granary.Proofs.Seal;

/// <summary>
/// Verifies a vanilla PoRep against public inputs only: recomputes the challenges, checks every inclusion
/// path against CommD, CommC and CommR-last, recomputes every label of each challenged node from its
/// parents' committed labels, and checks the encoding replica = data + key (mod r).
/// </summary>
public static class SealVerifier
{
    /// <summary>True if <paramref name="proofBytes"/> proves the seal described by <paramref name="info"/>.</summary>
    public static bool Verify(SealVerifyInfo info, ReadOnlySpan<byte> proofBytes, out string? reason)
    {
        SealProof proof;
        try
        {
            proof = SealProofCodec.Decode(proofBytes);
        }
        catch (ProofFormatException e)
        {
            reason = $"malformed proof: {e.Message}";
            return false;
        }

        reason = Check(info, proof);
        return reason is null;
    }

    private static string? Check(SealVerifyInfo info, SealProof proof)
    {
        var type = info.ProofType;
        if (proof.ProofTypeId != type.Id)
        {
            return $"proof is for type {proof.ProofTypeId}, not {type.Id}";
        }

        if (!Sealer.CommR(proof.CommC, proof.CommRLast).AsSpan().SequenceEqual(info.CommR))
        {
            return "CommC and CommR-last do not hash to CommR";
        }

        var replicaId = ReplicaId.Compute(info.ProverId, info.SectorNumber, info.Ticket, info.CommD, type.PoRepId);
        var expected = Challenges.PoRep(replicaId, info.Seed, type.Nodes, type.PoRepChallenges);
        if (!expected.SequenceEqual(proof.Challenges.Select(c => c.Node)))
        {
            return "challenged nodes do not match the seed";
        }

        Span<int> parents = stackalloc int[StackedGraph.Degree];
        Span<byte> label = stackalloc byte[32];
        Span<byte> encoded = stackalloc byte[32];
        Span<byte> baseLabels = stackalloc byte[32 * StackedGraph.BaseDegree];
        Span<byte> expanderLabels = stackalloc byte[32 * StackedGraph.ExpanderDegree];
        foreach (var c in proof.Challenges)
        {
            if (!c.DataPath.Verify(c.DataLeaf, info.CommD))
            {
                return $"node {c.Node}: data is not in CommD";
            }

            if (!c.ReplicaPath.Verify(c.ReplicaLeaf, proof.CommRLast))
            {
                return $"node {c.Node}: replica is not in CommR-last";
            }

            if (!ColumnIsCommitted(c.Column, proof.CommC))
            {
                return $"node {c.Node}: column is not in CommC";
            }

            StackedGraph.ParentsOf(type.Nodes, type.PoRepId, (int)c.Node, parents);
            for (var p = 0; p < parents.Length; p++)
            {
                if (c.Parents[p].Node != parents[p] || !ColumnIsCommitted(c.Parents[p], proof.CommC))
                {
                    return $"node {c.Node}: parent {p} is not the graph's parent or is not in CommC";
                }
            }

            for (var layer = 1; layer <= type.Layers; layer++)
            {
                for (var p = 0; p < StackedGraph.BaseDegree; p++)
                {
                    c.Parents[p].Labels[layer - 1].CopyTo(baseLabels[(p * 32)..]);
                }

                for (var p = 0; layer > 1 && p < StackedGraph.ExpanderDegree; p++)
                {
                    c.Parents[StackedGraph.BaseDegree + p].Labels[layer - 2].CopyTo(expanderLabels[(p * 32)..]);
                }

                Labeler.LabelFromParents(replicaId, layer, (int)c.Node, baseLabels, expanderLabels, label);
                if (!label.SequenceEqual(c.Column.Labels[layer - 1]))
                {
                    return $"node {c.Node}: layer {layer} label does not follow from its parents";
                }
            }

            if (!Fr.IsCanonical(c.DataLeaf))
            {
                return $"node {c.Node}: data is not a field element";
            }

            Fr.Add(c.DataLeaf, c.Column.Labels[^1], encoded);
            if (!encoded.SequenceEqual(c.ReplicaLeaf))
            {
                return $"node {c.Node}: replica is not data encoded with the last layer's label";
            }
        }

        return null;
    }

    private static bool ColumnIsCommitted(ColumnOpening column, byte[] commC)
    {
        Span<byte> leaf = stackalloc byte[32];
        Sha254.Hash([.. column.Labels.SelectMany(l => l)], leaf);
        return column.Path.Verify(leaf, commC);
    }
}
