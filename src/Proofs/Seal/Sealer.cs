using Granary.Proofs.Fields;
using Granary.Proofs.Graph;
using Granary.Filecoin.Hashing;
using Granary.Proofs.Sdr;
using Granary.Proofs.Trees;

namespace Granary.Proofs.Seal;

/// <summary>
/// The sealing stages for one proof type, run on files: PreCommit1 (tree D and SDR labels), PreCommit2
/// (tree C, the replica, tree R-last, CommR), Commit1/Commit2 (the vanilla PoRep), Finalize and Unseal.
/// Every output file is written atomically, and a stage re-run after a crash reuses what finished.
/// </summary>
public sealed class Sealer(SealProofType type)
{
    /// <summary>The proof type this sealer serves.</summary>
    public SealProofType Type { get; } = type;

    /// <summary>
    /// PreCommit1: reads the unsealed sector (Fr32-padded, exactly one sector), builds tree D (CommD), derives
    /// the replica id and labels every SDR layer into the cache directory.
    /// </summary>
    public PreCommit1Output PreCommit1(SectorPaths paths, byte[] proverId, ulong sectorNumber, byte[] ticket,
        IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var data = ReadSectorFile(paths.Unsealed, "unsealed sector");
        Directory.CreateDirectory(paths.Cache);
        var treeD = MerkleTree.Build(data);
        AtomicFile.Write(paths.TreeD, treeD);
        var commD = MerkleTree.Root(treeD);
        var replicaId = ReplicaId.Compute(proverId, sectorNumber, ticket, commD, Type.PoRepId);

        var graph = StackedGraph.For(Type.Nodes, Type.PoRepId);
        byte[] previous = [];
        for (var layer = 1; layer <= Type.Layers; layer++)
        {
            var path = paths.Layer(layer);
            byte[] labels;
            if (File.Exists(path) && new FileInfo(path).Length == Type.SectorSize)
            {
                labels = File.ReadAllBytes(path); // finished before a restart
            }
            else
            {
                labels = LayerBuffer.Allocate(Type.SectorSize);
                Labeler.LabelLayer(graph, replicaId, layer, previous, labels, cancellationToken);
                AtomicFile.Write(path, labels);
            }

            progress?.Report(new StageProgress("PreCommit1", (double)layer / Type.Layers));
            previous = labels;
        }

        return new PreCommit1Output(Type.Id, replicaId, commD);
    }

    /// <summary>
    /// PreCommit2: hashes each node's column of labels into tree C, encodes the replica (data + last-layer
    /// label mod r), builds tree R-last and returns CommR = H(CommC ‖ CommR-last).
    /// </summary>
    public PreCommit2Output PreCommit2(SectorPaths paths, PreCommit1Output pc1,
        IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var nodes = (int)Type.Nodes;
        var layers = Enumerable.Range(1, Type.Layers).Select(l => ReadSectorFile(paths.Layer(l), $"layer {l}")).ToArray();
        var columns = new byte[Type.SectorSize];
        Parallel.For(0, nodes, new ParallelOptions { CancellationToken = cancellationToken, TaskScheduler = TaskScheduler.Current }, () => new byte[32 * Type.Layers], (node, _, buffer) =>
        {
            for (var l = 0; l < layers.Length; l++)
            {
                layers[l].AsSpan(node * 32, 32).CopyTo(buffer.AsSpan(l * 32));
            }

            Sha254.Hash(buffer, columns.AsSpan(node * 32, 32));
            return buffer;
        }, _ => { });
        var treeC = MerkleTree.Build(columns);
        AtomicFile.Write(paths.TreeC, treeC);
        progress?.Report(new StageProgress("PreCommit2", 0.4));

        var data = ReadSectorFile(paths.Unsealed, "unsealed sector");
        var key = layers[^1];
        var replica = new byte[Type.SectorSize];
        for (var node = 0; node < nodes; node++)
        {
            Fr.Add(data.AsSpan(node * 32, 32), key.AsSpan(node * 32, 32), replica.AsSpan(node * 32, 32));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var treeR = MerkleTree.Build(replica);
        AtomicFile.Write(paths.TreeRLast, treeR);
        AtomicFile.Write(paths.Sealed, replica);
        progress?.Report(new StageProgress("PreCommit2", 0.9));

        var commC = MerkleTree.Root(treeC);
        var commRLast = MerkleTree.Root(treeR);
        AtomicFile.Write(paths.PAux, [.. commC, .. commRLast]);
        progress?.Report(new StageProgress("PreCommit2", 1));
        return new PreCommit2Output(CommR(commC, commRLast), commC, commRLast);
    }

    /// <summary>Commit1: opens every challenged node (derived from the replica id and <paramref name="seed"/>).</summary>
    public SealProof Commit1(SectorPaths paths, PreCommit1Output pc1, PreCommit2Output pc2, byte[] seed)
    {
        var challenges = Challenges.PoRep(pc1.ReplicaId, seed, Type.Nodes, Type.PoRepChallenges);
        using var treeD = File.OpenHandle(paths.TreeD);
        using var treeC = File.OpenHandle(paths.TreeC);
        using var treeR = File.OpenHandle(paths.TreeRLast);
        using var unsealed = File.OpenHandle(paths.Unsealed);
        using var sealedFile = File.OpenHandle(paths.Sealed);
        var layers = Enumerable.Range(1, Type.Layers).Select(l => File.OpenHandle(paths.Layer(l))).ToArray();
        try
        {
            Span<int> parents = stackalloc int[StackedGraph.Degree];
            var proofs = new ChallengeProof[challenges.Length];
            for (var i = 0; i < challenges.Length; i++)
            {
                var node = challenges[i];
                StackedGraph.ParentsOf(Type.Nodes, Type.PoRepId, (int)node, parents);
                var parentOpenings = new ColumnOpening[StackedGraph.Degree];
                for (var p = 0; p < parents.Length; p++)
                {
                    parentOpenings[p] = OpenColumn(layers, treeC, parents[p]);
                }

                proofs[i] = new ChallengeProof(
                    node,
                    MerkleTree.ReadLeaf(unsealed, node), MerkleTree.ReadPath(treeD, Type.Nodes, node),
                    MerkleTree.ReadLeaf(sealedFile, node), MerkleTree.ReadPath(treeR, Type.Nodes, node),
                    OpenColumn(layers, treeC, node), parentOpenings);
            }

            return new SealProof(Type.Id, pc2.CommC, pc2.CommRLast, proofs);
        }
        finally
        {
            foreach (var layer in layers)
            {
                layer.Dispose();
            }
        }
    }

    /// <summary>Commit2: the proof bytes sent on chain (the vanilla proof, compactly serialized).</summary>
    public static byte[] Commit2(SealProof proof) => SealProofCodec.Encode(proof);

    /// <summary>
    /// Finalize: drops the layer files and trees C and D, keeping the sealed replica, tree R-last and p_aux
    /// (what PoSt needs) and the unsealed copy unless <paramref name="keepUnsealed"/> is false.
    /// </summary>
    public void FinalizeSector(SectorPaths paths, bool keepUnsealed = true)
    {
        for (var layer = 1; layer <= Type.Layers; layer++)
        {
            File.Delete(paths.Layer(layer));
        }

        File.Delete(paths.TreeC);
        File.Delete(paths.TreeD);
        if (!keepUnsealed)
        {
            File.Delete(paths.Unsealed);
        }
    }

    /// <summary>
    /// Unseal: recomputes the labels (as slow as PreCommit1, which is why unsealed copies are kept) and
    /// decodes the replica back into the original Fr32-padded bytes, checked against CommD.
    /// </summary>
    /// <exception cref="InvalidDataException">The decoded data does not match CommD (the replica is damaged).</exception>
    public void Unseal(SectorPaths paths, byte[] proverId, ulong sectorNumber, byte[] ticket, byte[] commD, string output,
        CancellationToken cancellationToken = default)
    {
        var replica = ReadSectorFile(paths.Sealed, "sealed replica");
        var replicaId = ReplicaId.Compute(proverId, sectorNumber, ticket, commD, Type.PoRepId);
        var graph = StackedGraph.For(Type.Nodes, Type.PoRepId);
        byte[] previous = [];
        var current = Array.Empty<byte>();
        for (var layer = 1; layer <= Type.Layers; layer++)
        {
            current = LayerBuffer.Allocate(Type.SectorSize);
            Labeler.LabelLayer(graph, replicaId, layer, previous, current, cancellationToken);
            previous = current;
        }

        var data = new byte[Type.SectorSize];
        for (var node = 0; node < Type.Nodes; node++)
        {
            Fr.Subtract(replica.AsSpan(node * 32, 32), current.AsSpan(node * 32, 32), data.AsSpan(node * 32, 32));
        }

        if (!MerkleTree.Root(MerkleTree.Build(data)).AsSpan().SequenceEqual(commD))
        {
            throw new InvalidDataException($"unsealed data of sector {sectorNumber} does not match its CommD: the sealed replica is damaged");
        }

        AtomicFile.Write(output, data);
    }

    /// <summary>CommR = SHA-256-trunc254(CommC ‖ CommR-last).</summary>
    public static byte[] CommR(ReadOnlySpan<byte> commC, ReadOnlySpan<byte> commRLast)
    {
        var commR = new byte[32];
        Sha254.HashPair(commC, commRLast, commR);
        return commR;
    }

    private ColumnOpening OpenColumn(Microsoft.Win32.SafeHandles.SafeFileHandle[] layers, Microsoft.Win32.SafeHandles.SafeFileHandle treeC, long node) =>
        new(node, [.. layers.Select(l => MerkleTree.ReadLeaf(l, node))], MerkleTree.ReadPath(treeC, Type.Nodes, node));

    private byte[] ReadSectorFile(string path, string what)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{what} file {path} is missing", path);
        }

        if (info.Length != Type.SectorSize)
        {
            throw new InvalidDataException($"{what} file {path} is {info.Length} bytes; a {Type.Name} sector is {Type.SectorSize}");
        }

        return File.ReadAllBytes(path);
    }
}
