using System.Buffers.Binary;
using Granary.Filecoin.Hashing;

namespace Granary.Proofs.Sdr;

/// <summary>The replica id: SHA-256-trunc254 of prover id, sector number (big-endian), ticket, CommD and PoRep id.</summary>
public static class ReplicaId
{
    /// <summary>Computes the 32-byte replica id.</summary>
    public static byte[] Compute(ReadOnlySpan<byte> proverId, ulong sectorNumber, ReadOnlySpan<byte> ticket, ReadOnlySpan<byte> commD, ReadOnlySpan<byte> poRepId)
    {
        Span<byte> input = stackalloc byte[32 + 8 + 32 + 32 + 32];
        Fit(proverId, "prover id").CopyTo(input);
        BinaryPrimitives.WriteUInt64BigEndian(input[32..], sectorNumber);
        Fit(ticket, "ticket").CopyTo(input[40..]);
        Fit(commD, "CommD").CopyTo(input[72..]);
        Fit(poRepId, "PoRep id").CopyTo(input[104..]);
        var id = new byte[32];
        Sha254.Hash(input, id);
        return id;
    }

    private static ReadOnlySpan<byte> Fit(ReadOnlySpan<byte> value, string name) =>
        value.Length == 32 ? value : throw new ArgumentException($"{name} must be 32 bytes, got {value.Length}");
}
