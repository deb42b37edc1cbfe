using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Granary.Proofs.Seal;

/// <summary>Deterministic challenge derivation: SHA-256 of the inputs and a counter, reduced to a node index.</summary>
public static class Challenges
{
    /// <summary>PoRep challenges: from the replica id and the interactive seed; never node 0 (it has no parents).</summary>
    public static long[] PoRep(ReadOnlySpan<byte> replicaId, ReadOnlySpan<byte> seed, long nodes, int count)
    {
        Span<byte> input = stackalloc byte[68];
        replicaId.CopyTo(input);
        seed.CopyTo(input[32..]);
        return Derive(input, 64, nodes - 1, count).Select(c => c + 1).ToArray();
    }

    /// <summary>PoSt challenges for one sector: from the chain randomness and the sector number.</summary>
    public static long[] PoSt(ReadOnlySpan<byte> randomness, ulong sectorNumber, long nodes, int count)
    {
        Span<byte> input = stackalloc byte[44];
        randomness.CopyTo(input);
        BinaryPrimitives.WriteUInt64LittleEndian(input[32..], sectorNumber);
        return Derive(input, 40, nodes, count);
    }

    private static long[] Derive(Span<byte> input, int counterOffset, long range, int count)
    {
        var result = new long[count];
        Span<byte> digest = stackalloc byte[32];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(input[counterOffset..], (uint)i);
            SHA256.HashData(input, digest);
            result[i] = (long)(BinaryPrimitives.ReadUInt64LittleEndian(digest) % (ulong)range);
        }

        return result;
    }
}
