using System.Buffers.Binary;

namespace Granary.Filecoin.Pieces;

/// <summary>
/// Fr32 padding: every 127 payload bytes (1016 bits) become 128 bytes of four 32-byte nodes, each holding
/// 254 payload bits and two zero bits on top (little-endian bit order), so each node is a BLS12-381 scalar.
/// </summary>
public static class Fr32
{
    /// <summary>Payload bytes per padded block.</summary>
    public const int UnpaddedBlock = 127;

    /// <summary>Padded bytes per block.</summary>
    public const int PaddedBlock = 128;

    /// <summary>Pads whole 127-byte blocks of <paramref name="unpadded"/> into <paramref name="padded"/>.</summary>
    public static void Pad(ReadOnlySpan<byte> unpadded, Span<byte> padded)
    {
        var blocks = Blocks(unpadded.Length, UnpaddedBlock);
        if (padded.Length < blocks * PaddedBlock)
        {
            throw new ArgumentException("padded buffer is too small");
        }

        Span<byte> last = stackalloc byte[UnpaddedBlock + 9];
        for (var b = 0; b < blocks; b++)
        {
            // Each node is 254 bits starting at bit 254·q: four 64-bit words shifted by (254·q mod 8), read
            // unaligned. The last block is copied to a buffer with slack so the final word read stays in bounds.
            var input = b < blocks - 1 ? unpadded.Slice(b * UnpaddedBlock, UnpaddedBlock + 1) : CopyWithSlack(unpadded.Slice(b * UnpaddedBlock, UnpaddedBlock), last);
            var output = padded.Slice(b * PaddedBlock, PaddedBlock);
            input[..32].CopyTo(output);
            PadNode(input, 31, 6, output.Slice(32, 32));
            PadNode(input, 63, 4, output.Slice(64, 32));
            PadNode(input, 95, 2, output.Slice(96, 32));
            output[31] &= 0x3F;
        }
    }

    private static ReadOnlySpan<byte> CopyWithSlack(ReadOnlySpan<byte> block, Span<byte> buffer)
    {
        buffer.Clear();
        block.CopyTo(buffer);
        return buffer;
    }

    private static void PadNode(ReadOnlySpan<byte> input, int start, int shift, Span<byte> node)
    {
        for (var k = 0; k < 4; k++)
        {
            var offset = start + (k * 8);
            var lo = BinaryPrimitives.ReadUInt64LittleEndian(input.Slice(offset, 8)) >> shift;
            var hi = offset + 8 < input.Length ? (ulong)input[offset + 8] << (64 - shift) : 0;
            BinaryPrimitives.WriteUInt64LittleEndian(node.Slice(k * 8, 8), lo | hi);
        }

        node[31] &= 0x3F;
    }

    /// <summary>Recovers the payload from whole 128-byte padded blocks.</summary>
    public static void Unpad(ReadOnlySpan<byte> padded, Span<byte> unpadded)
    {
        var blocks = Blocks(padded.Length, PaddedBlock);
        if (unpadded.Length < blocks * UnpaddedBlock)
        {
            throw new ArgumentException("unpadded buffer is too small");
        }

        for (var b = 0; b < blocks; b++)
        {
            var input = padded.Slice(b * PaddedBlock, PaddedBlock);
            var output = unpadded.Slice(b * UnpaddedBlock, UnpaddedBlock);
            output.Clear();
            for (var q = 0; q < 4; q++)
            {
                var bit = q * 254;
                var start = bit >> 3;
                var shift = bit & 7;
                var node = input.Slice(q * 32, 32);
                for (var i = 0; i < 32; i++)
                {
                    var value = i == 31 ? node[i] & 0x3F : node[i];
                    output[start + i] |= (byte)(value << shift);
                    if (shift > 0 && start + i + 1 < UnpaddedBlock)
                    {
                        output[start + i + 1] |= (byte)(value >> (8 - shift));
                    }
                }
            }
        }
    }

    /// <summary>Pads a stream of whole 127-byte blocks (the last one zero-filled) into <paramref name="output"/>.</summary>
    public static async Task PadAsync(Stream input, Stream output, CancellationToken cancellationToken = default)
    {
        const int Chunk = UnpaddedBlock * 8192;
        var raw = new byte[Chunk];
        var padded = new byte[Chunk / UnpaddedBlock * PaddedBlock];
        while (true)
        {
            var n = await input.ReadAtLeastAsync(raw, Chunk, throwOnEndOfStream: false, cancellationToken);
            if (n == 0)
            {
                return;
            }

            var whole = (n + UnpaddedBlock - 1) / UnpaddedBlock * UnpaddedBlock;
            raw.AsSpan(n, whole - n).Clear();
            Pad(raw.AsSpan(0, whole), padded);
            await output.WriteAsync(padded.AsMemory(0, whole / UnpaddedBlock * PaddedBlock), cancellationToken);
            if (n < Chunk)
            {
                return;
            }
        }
    }

    private static int Blocks(int length, int block) =>
        length % block == 0 ? length / block : throw new ArgumentException($"length {length} is not a whole number of {block}-byte blocks");
}
