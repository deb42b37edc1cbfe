using System.Runtime.InteropServices;
using Granary.Filecoin.Pieces;

namespace Granary.Grains.Pieces;

/// <summary>
/// Fr32 unpadding at memory speed for serving pieces: each 128-byte padded block is four 254-bit values, which are
/// concatenated into 127 payload bytes with a fixed set of 64-bit shifts (the bit-at-a-time <see cref="Fr32.Unpad"/> is exact but
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

        if (!BitConverter.IsLittleEndian)
        {
            Fr32.Unpad(padded[..(blocks * Fr32.PaddedBlock)], unpadded);
            return;
        }

        Span<ulong> o = stackalloc ulong[15];
        for (var b = 0; b < blocks; b++)
        {
            // Sixteen little-endian words: node q is words 4q..4q+3 (its top two bits zero), placed at bit 254·q.
            var n = MemoryMarshal.Cast<byte, ulong>(padded.Slice(b * Fr32.PaddedBlock, Fr32.PaddedBlock));
            var destination = unpadded.Slice(b * Fr32.UnpaddedBlock, Fr32.UnpaddedBlock);
            ulong n3 = n[3] & NodeTopMask, n7 = n[7] & NodeTopMask, n11 = n[11] & NodeTopMask, n15 = n[15] & NodeTopMask;
            o[0] = n[0];
            o[1] = n[1];
            o[2] = n[2];
            o[3] = n3 | (n[4] << 62);
            o[4] = (n[4] >> 2) | (n[5] << 62);
            o[5] = (n[5] >> 2) | (n[6] << 62);
            o[6] = (n[6] >> 2) | (n7 << 62);
            o[7] = (n7 >> 2) | (n[8] << 60);
            o[8] = (n[8] >> 4) | (n[9] << 60);
            o[9] = (n[9] >> 4) | (n[10] << 60);
            o[10] = (n[10] >> 4) | (n11 << 60);
            o[11] = (n11 >> 4) | (n[12] << 58);
            o[12] = (n[12] >> 6) | (n[13] << 58);
            o[13] = (n[13] >> 6) | (n[14] << 58);
            o[14] = (n[14] >> 6) | (n15 << 58);
            MemoryMarshal.AsBytes(o).CopyTo(destination);
            var last = n15 >> 6; // 56 bits: the block's last 7 bytes
            for (var i = 0; i < 7; i++)
            {
                destination[120 + i] = (byte)(last >> (8 * i));
            }
        }
    }
}
