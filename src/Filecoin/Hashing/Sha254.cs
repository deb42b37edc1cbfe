using System.Security.Cryptography;

namespace Granary.Filecoin.Hashing;

/// <summary>
/// SHA-256 truncated to 254 bits (the top two bits of the last byte cleared), Filecoin's
/// <c>sha2-256-trunc254-padded</c>: every digest is a valid BLS12-381 scalar.
/// </summary>
public static class Sha254
{
    /// <summary>Hashes <paramref name="input"/> into the 32-byte <paramref name="output"/>.</summary>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> output)
    {
        SHA256.HashData(input, output);
        output[31] &= 0x3F;
    }

    /// <summary>Hashes two 32-byte nodes into their parent.</summary>
    public static void HashPair(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> output)
    {
        Span<byte> buffer = stackalloc byte[64];
        left.CopyTo(buffer);
        right.CopyTo(buffer[32..]);
        Hash(buffer, output);
    }

    /// <summary>
    /// Hashes a row of a binary tree: each 64-byte pair of <paramref name="children"/> becomes one 32-byte
    /// node of <paramref name="parents"/>. Tree builders go through this one call, so a faster batched
    /// hasher serves all of them.
    /// </summary>
    public static void HashRow(ReadOnlySpan<byte> children, Span<byte> parents)
    {
        Sha256Lanes.HashPairs(children, parents, truncate: true);
    }
}
