using System.Buffers.Binary;
using Granary.Proofs.Graph;
using Granary.Proofs.Trees;

namespace Granary.Proofs.Seal;

/// <summary>
/// Compact binary form of a <see cref="SealProof"/>: version, proof type, layers, tree depth, CommC,
/// CommR-last, challenge count, then per challenge the node, data leaf and path, replica leaf and path,
/// and 15 column openings (the node's, then its 14 parents'). Paths carry only siblings; a leaf's index
/// gives the directions. Every field is bounds-checked on reading.
/// </summary>
public static class SealProofCodec
{
    private const byte Version = 1;
    private const int MaxChallenges = 4096;

    /// <summary>Serializes a proof.</summary>
    public static byte[] Encode(SealProof proof)
    {
        var type = SealProofType.FromId(proof.ProofTypeId);
        var depth = Depth(type);
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream);
        w.Write(Version);
        w.Write((byte)proof.ProofTypeId);
        w.Write((byte)type.Layers);
        w.Write((byte)depth);
        w.Write(proof.CommC);
        w.Write(proof.CommRLast);
        w.Write((ushort)proof.Challenges.Length);
        foreach (var c in proof.Challenges)
        {
            w.Write((ulong)c.Node);
            WriteLeafAndPath(w, c.DataLeaf, c.DataPath, depth);
            WriteLeafAndPath(w, c.ReplicaLeaf, c.ReplicaPath, depth);
            WriteColumn(w, c.Column, type.Layers, depth);
            foreach (var parent in c.Parents)
            {
                w.Write((ulong)parent.Node);
                WriteColumn(w, parent, type.Layers, depth);
            }
        }

        w.Flush();
        return stream.ToArray();
    }

    /// <summary>Reads a proof.</summary>
    /// <exception cref="ProofFormatException">Truncated, oversized, trailing bytes or inconsistent header.</exception>
    public static SealProof Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new Reader(bytes);
        if (r.Byte() != Version)
        {
            throw new ProofFormatException("unknown seal proof version");
        }

        SealProofType type;
        try
        {
            type = SealProofType.FromId(r.Byte());
        }
        catch (ArgumentException e)
        {
            throw new ProofFormatException(e.Message);
        }

        var layers = r.Byte();
        var depth = r.Byte();
        if (layers != type.Layers || depth != Depth(type))
        {
            throw new ProofFormatException($"header says {layers} layers and depth {depth}; proof type {type.Name} has {type.Layers} and {Depth(type)}");
        }

        var commC = r.Bytes(32);
        var commRLast = r.Bytes(32);
        var count = r.UInt16();
        if (count > MaxChallenges)
        {
            throw new ProofFormatException($"{count} challenges is more than {MaxChallenges}");
        }

        var challenges = new ChallengeProof[count];
        for (var i = 0; i < count; i++)
        {
            var node = r.Node(type.Nodes);
            var (dataLeaf, dataPath) = r.LeafAndPath(node, depth);
            var (replicaLeaf, replicaPath) = r.LeafAndPath(node, depth);
            var column = r.Column(node, layers, depth);
            var parents = new ColumnOpening[StackedGraph.Degree];
            for (var p = 0; p < parents.Length; p++)
            {
                parents[p] = r.Column(r.Node(type.Nodes), layers, depth);
            }

            challenges[i] = new ChallengeProof(node, dataLeaf, dataPath, replicaLeaf, replicaPath, column, parents);
        }

        if (!r.AtEnd)
        {
            throw new ProofFormatException("trailing bytes after the last challenge");
        }

        return new SealProof(type.Id, commC, commRLast, challenges);
    }

    /// <summary>Tree depth of a sector's node trees.</summary>
    public static int Depth(SealProofType type) => 63 - (int)ulong.LeadingZeroCount((ulong)type.Nodes);

    private static void WriteLeafAndPath(BinaryWriter w, byte[] leaf, MerklePath path, int depth)
    {
        w.Write(leaf);
        WritePath(w, path, depth);
    }

    private static void WriteColumn(BinaryWriter w, ColumnOpening column, int layers, int depth)
    {
        if (column.Labels.Length != layers)
        {
            throw new ArgumentException("column has the wrong number of layers");
        }

        foreach (var label in column.Labels)
        {
            w.Write(label);
        }

        WritePath(w, column.Path, depth);
    }

    private static void WritePath(BinaryWriter w, MerklePath path, int depth)
    {
        if (path.Siblings.Count != depth)
        {
            throw new ArgumentException("path has the wrong depth");
        }

        foreach (var sibling in path.Siblings)
        {
            w.Write(sibling);
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private ReadOnlySpan<byte> _rest = bytes;

        public readonly bool AtEnd => _rest.IsEmpty;

        public byte Byte() => Take(1)[0];

        public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

        public long Node(long nodes)
        {
            var node = BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
            return node < (ulong)nodes ? (long)node : throw new ProofFormatException($"node {node} is outside a {nodes}-node sector");
        }

        public byte[] Bytes(int n) => Take(n).ToArray();

        public (byte[], MerklePath) LeafAndPath(long node, int depth) => (Bytes(32), Path(node, depth));

        public ColumnOpening Column(long node, int layers, int depth)
        {
            var labels = new byte[layers][];
            for (var l = 0; l < layers; l++)
            {
                labels[l] = Bytes(32);
            }

            return new ColumnOpening(node, labels, Path(node, depth));
        }

        private MerklePath Path(long node, int depth)
        {
            var siblings = new byte[depth][];
            for (var i = 0; i < depth; i++)
            {
                siblings[i] = Bytes(32);
            }

            return new MerklePath(node, siblings);
        }

        private ReadOnlySpan<byte> Take(int n)
        {
            if (_rest.Length < n)
            {
                throw new ProofFormatException("proof is truncated");
            }

            var taken = _rest[..n];
            _rest = _rest[n..];
            return taken;
        }
    }
}
