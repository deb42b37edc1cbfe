using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Granary.Grains.Proving;

/// <summary>
/// Which sector a WinningPoSt proves: one of the miner's active sectors, drawn with the epoch's
/// WinningPoStChallengeSeed randomness (Filecoin's <c>GenerateWinningPoStSectorChallenge</c> with one sector per
/// proof; here the draw is SHA-256(randomness ‖ miner id ‖ 0) as a little-endian integer, modulo the count).
/// </summary>
public static class WinningChallenge
{
    /// <summary>The challenged sector among <paramref name="eligible"/> (any order).</summary>
    /// <exception cref="ArgumentException">No eligible sectors.</exception>
    public static ulong Pick(byte[] randomness, ulong minerId, IReadOnlyCollection<ulong> eligible)
    {
        if (eligible.Count == 0)
        {
            throw new ArgumentException("no active sectors to challenge", nameof(eligible));
        }

        Span<byte> input = stackalloc byte[randomness.Length + 16];
        randomness.CopyTo(input);
        BinaryPrimitives.WriteUInt64LittleEndian(input[randomness.Length..], minerId);
        BinaryPrimitives.WriteUInt64LittleEndian(input[(randomness.Length + 8)..], 0);
        var draw = BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(input));
        return eligible.Order().ElementAt((int)(draw % (ulong)eligible.Count));
    }
}
