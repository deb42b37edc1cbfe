using System.Buffers.Binary;
using Granary.Proofs.Seal;
using Granary.Proofs.Trees;

namespace Granary.Proofs.PoSt;

/// <summary>
/// Vanilla proofs of space-time: for each sector, CommC and CommR-last plus the challenged replica leaves
/// with their paths in tree R-last. Leaves are read from the sealed replica itself, so a damaged or lost
/// replica cannot be proven; such a sector is skipped (reported faulty) rather than failing the partition.
/// Encoding: count (u16), then per sector: number (u64), CommC, CommR-last, then each challenge's leaf and
/// path siblings.
/// </summary>
public static class PoStProver
{
    private const int MaxSectors = 4096;

    /// <summary>Challenges per sector for <paramref name="kind"/>.</summary>
    public static int ChallengesPerSector(PoStKind kind) =>
        kind == PoStKind.Window ? SealProofType.WindowPoStChallenges : SealProofType.WinningPoStChallenges;

    /// <summary>Proves <paramref name="sectors"/> for the given randomness.</summary>
    public static PoStResult Prove(SealProofType type, PoStKind kind, byte[] randomness, IEnumerable<PoStSector> sectors,
        CancellationToken cancellationToken = default)
    {
        var proven = new List<(ulong Number, byte[] Bytes)>();
        var skipped = new List<SkippedSector>();
        foreach (var sector in sectors)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                proven.Add((sector.SectorNumber, ProveSector(type, kind, randomness, sector)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                skipped.Add(new SkippedSector(sector.SectorNumber, e.Message));
            }
        }

        using var stream = new MemoryStream();
        Span<byte> header = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)proven.Count);
        stream.Write(header);
        foreach (var (_, bytes) in proven)
        {
            stream.Write(bytes);
        }

        return new PoStResult(stream.ToArray(), [.. proven.Select(p => p.Number)], skipped);
    }

    /// <summary>
    /// True if <paramref name="proof"/> proves exactly <paramref name="sectors"/> (in order) for the randomness.
    /// </summary>
    public static bool Verify(SealProofType type, PoStKind kind, byte[] randomness, IReadOnlyList<PoStPublicSector> sectors,
        ReadOnlySpan<byte> proof, out string? reason)
    {
        var depth = SealProofCodec.Depth(type);
        var challenges = ChallengesPerSector(kind);
        var perSector = 8 + 64 + (challenges * 32 * (1 + depth));
        if (proof.Length < 2)
        {
            reason = "proof is truncated";
            return false;
        }

        var count = BinaryPrimitives.ReadUInt16LittleEndian(proof);
        if (count != sectors.Count || count > MaxSectors || proof.Length != 2 + (count * perSector))
        {
            reason = $"proof covers {count} sectors in {proof.Length} bytes; expected {sectors.Count} sectors in {2 + (sectors.Count * perSector)}";
            return false;
        }

        for (var s = 0; s < count; s++)
        {
            var bytes = proof.Slice(2 + (s * perSector), perSector);
            var number = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            var commC = bytes.Slice(8, 32);
            var commRLast = bytes.Slice(40, 32);
            if (number != sectors[s].SectorNumber || !Sealer.CommR(commC, commRLast).AsSpan().SequenceEqual(sectors[s].CommR))
            {
                reason = $"sector {sectors[s].SectorNumber}: wrong sector or its commitments don't hash to its CommR";
                return false;
            }

            var nodes = Challenges.PoSt(randomness, number, type.Nodes, challenges);
            for (var c = 0; c < challenges; c++)
            {
                var opening = bytes.Slice(72 + (c * 32 * (1 + depth)), 32 * (1 + depth));
                var siblings = new byte[depth][];
                for (var i = 0; i < depth; i++)
                {
                    siblings[i] = opening.Slice(32 * (1 + i), 32).ToArray();
                }

                if (!new MerklePath(nodes[c], siblings).Verify(opening[..32], commRLast))
                {
                    reason = $"sector {number}: challenge {c} (node {nodes[c]}) is not in CommR-last";
                    return false;
                }
            }
        }

        reason = null;
        return true;
    }

    private static byte[] ProveSector(SealProofType type, PoStKind kind, byte[] randomness, PoStSector sector)
    {
        var aux = File.ReadAllBytes(sector.Paths.PAux);
        if (aux.Length != 64 || !Sealer.CommR(aux.AsSpan(0, 32), aux.AsSpan(32)).AsSpan().SequenceEqual(sector.CommR))
        {
            throw new InvalidDataException($"sector {sector.SectorNumber}: p_aux does not match its CommR");
        }

        if (new FileInfo(sector.Paths.Sealed).Length != type.SectorSize)
        {
            throw new InvalidDataException($"sector {sector.SectorNumber}: sealed replica has the wrong size");
        }

        var commRLast = aux.AsSpan(32).ToArray();
        using var replica = File.OpenHandle(sector.Paths.Sealed);
        using var tree = File.OpenHandle(sector.Paths.TreeRLast);
        using var output = new MemoryStream();
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(number, sector.SectorNumber);
        output.Write(number);
        output.Write(aux);
        foreach (var node in Challenges.PoSt(randomness, sector.SectorNumber, type.Nodes, ChallengesPerSector(kind)))
        {
            var leaf = MerkleTree.ReadLeaf(replica, node);
            var path = MerkleTree.ReadPath(tree, type.Nodes, node);
            if (!path.Verify(leaf, commRLast))
            {
                throw new InvalidDataException($"sector {sector.SectorNumber}: node {node} of the sealed replica fails its own check");
            }

            output.Write(leaf);
            foreach (var sibling in path.Siblings)
            {
                output.Write(sibling);
            }
        }

        return output.ToArray();
    }
}
