using System.Buffers.Binary;
using Granary.Filecoin.Pieces;

namespace Granary.Grains.Pieces;

/// <summary>
/// Fr32 unpadding at memory speed for serving pieces: each 128-byte padded block is four 254-bit values, which are
/// concatenated into 127 payload bytes with 64-bit shifts (the bit-at-a-time <see cref="Fr32.Unpad"/> is exact but
/// several times slower, and serving a piece from the unsealed copy unpads every byte). Same result as
/// <see cref="Fr32.Unpad"/>.
/// </summary>
public static class Fr32Unpadding
{
    private const ulong NodeTopMask = 0x3FFF_FFFF_FFFF_FFFF;

    /// <summary>Unpads whole 128-byte blocks of <paramref name="padded"/> into <paramref name="unpadded"/>.</summary>
    public static void Unpad(ReadOnlySpan<byte> padded, Span<byte> unpadded)
    {
        if (padded.Length % Fr32.PaddedBlock != 0)
        {
            throw new ArgumentException($"length {padded.Length} is not a whole number of {Fr32.PaddedBlock}-byte blocks");
        }

        var blocks = padded.Length / Fr32.PaddedBlock;
        if (unpadded.Length < blocks * Fr32.UnpaddedBlock)
        {
            throw new ArgumentException("unpadded buffer is too small");
        }

        Span<ulong> output = stackalloc ulong[16];
        Span<byte> tail = stackalloc byte[8];
        for (var b = 0; b < blocks; b++)
        {
            var input = padded.Slice(b * Fr32.PaddedBlock, Fr32.PaddedBlock);
            output.Clear();
            for (var q = 0; q < 4; q++)
            {
                var shift = 254 * q;
                var word = shift >> 6;
                var bits = shift & 63;
                for (var k = 0; k < 4; k++)
                {
                    var v = BinaryPrimitives.ReadUInt64LittleEndian(input.Slice((q * 32) + (k * 8), 8));
                    if (k == 3)
                    {
                        v &= NodeTopMask;
                    }

                    output[word + k] |= v << bits;
                    if (bits != 0 && word + k + 1 < 16)
                    {
                        output[word + k + 1] |= v >> (64 - bits);
                    }
                }
            }

            var destination = unpadded.Slice(b * Fr32.UnpaddedBlock, Fr32.UnpaddedBlock);
            for (var w = 0; w < 15; w++)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(w * 8, 8), output[w]);
            }

            BinaryPrimitives.WriteUInt64LittleEndian(tail, output[15]);
            tail[..7].CopyTo(destination[120..]);
        }
    }
}
