namespace Granary.Chain.Model;

/// <summary>
/// Filecoin's RLE+ bitfield bytes (go-bitfield, the spec's data_structures listing): bits are packed least
/// significant first; a header of version <c>00</c> and the value of the first run, then run lengths, each
/// <c>1</c> (a run of one), <c>01</c> + 4 bits (2–15) or <c>00</c> + an unsigned varint (16 and up). Runs
/// alternate between zeros and ones; trailing zeros are not encoded and trailing zero bytes are trimmed.
/// </summary>
public static class RlePlus
{
    /// <summary>Most bytes accepted when decoding (go-bitfield's limit for on-chain bitfields is far lower in practice).</summary>
    public const int MaxBytes = 1 << 20;

    private const int MaxVarintBytes = 9;

    /// <summary>The RLE+ bytes of <paramref name="bits"/>; empty for the empty set.</summary>
    public static byte[] Encode(BitField bits)
    {
        var runs = bits.ToRuns(); // zeros, ones, zeros, ones...
        if (runs.Count == 0)
        {
            return [];
        }

        var writer = new BitWriter();
        writer.Write(0, 2);
        var start = 0;
        if (runs[0] == 0)
        {
            writer.Write(1, 1); // the first run is of ones
            start = 1;
        }
        else
        {
            writer.Write(0, 1);
        }

        for (var i = start; i < runs.Count; i++)
        {
            writer.WriteLength(runs[i]);
        }

        return writer.Finish();
    }

    /// <summary>Reads RLE+ bytes.</summary>
    /// <exception cref="FormatException">Unknown version, a varint that is too long, a run that overflows, too many members or too many bytes.</exception>
    public static BitField Decode(ReadOnlySpan<byte> bytes, ulong maxMembers = 1 << 22)
    {
        if (bytes.Length > MaxBytes)
        {
            throw new FormatException($"RLE+ bitfield is {bytes.Length} bytes; the limit is {MaxBytes}");
        }

        if (bytes.IsEmpty)
        {
            return BitField.Empty;
        }

        var reader = new BitReader(bytes);
        if (reader.Read(2) != 0)
        {
            throw new FormatException("RLE+ bitfield has an unknown version (the first two bits must be 00)");
        }

        var ones = reader.Read(1) == 1;
        var members = new List<ulong>();
        ulong position = 0;
        while (!reader.Exhausted)
        {
            var length = ReadLength(ref reader);
            if (length == 0)
            {
                break; // a zero-length run ends the data: what follows is padding
            }

            if (position + length < position)
            {
                throw new FormatException("RLE+ run overflows 64 bits");
            }

            if (ones)
            {
                if ((ulong)members.Count + length > maxMembers)
                {
                    throw new FormatException($"RLE+ bitfield has more than {maxMembers} members");
                }

                for (ulong b = 0; b < length; b++)
                {
                    members.Add(position + b);
                }
            }

            position += length;
            ones = !ones;
        }

        return new BitField(members);
    }

    private static ulong ReadLength(ref BitReader reader)
    {
        if (reader.Read(1) == 1)
        {
            return 1;
        }

        if (reader.Read(1) == 1)
        {
            return reader.Read(4);
        }

        ulong value = 0;
        for (var i = 0; ; i++)
        {
            if (i == MaxVarintBytes)
            {
                throw new FormatException($"RLE+ run length varint is longer than {MaxVarintBytes} bytes");
            }

            var b = reader.Read(8);
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0)
                {
                    throw new FormatException("RLE+ run length varint is not minimal");
                }

                return value;
            }
        }
    }

    private sealed class BitWriter
    {
        private readonly List<byte> _bytes = [];
        private uint _bits;
        private int _count;

        public void Write(ulong value, int width)
        {
            for (var i = 0; i < width; i++)
            {
                _bits |= (uint)((value >> i) & 1) << _count;
                if (++_count == 8)
                {
                    _bytes.Add((byte)_bits);
                    _bits = 0;
                    _count = 0;
                }
            }
        }

        public void WriteLength(ulong length)
        {
            if (length == 1)
            {
                Write(1, 1);
            }
            else if (length < 16)
            {
                Write(0b10, 2); // "01" least significant bit first
                Write(length, 4);
            }
            else
            {
                Write(0, 2);
                var rest = length;
                do
                {
                    var b = rest & 0x7F;
                    rest >>= 7;
                    Write(rest != 0 ? b | 0x80 : b, 8);
                }
                while (rest != 0);
            }
        }

        public byte[] Finish()
        {
            if (_count > 0)
            {
                _bytes.Add((byte)_bits);
            }

            var end = _bytes.Count;
            while (end > 0 && _bytes[end - 1] == 0)
            {
                end--;
            }

            return [.. _bytes.Take(end)];
        }
    }

    // Reading past the end yields zero bits, as go-bitfield does: the trimmed trailing zeros come back.
    private ref struct BitReader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private long _position;

        public readonly bool Exhausted => _position >= (long)_bytes.Length * 8;

        public ulong Read(int width)
        {
            ulong value = 0;
            for (var i = 0; i < width; i++, _position++)
            {
                var index = _position >> 3;
                var bit = index < _bytes.Length ? (_bytes[(int)index] >> (int)(_position & 7)) & 1 : 0;
                value |= (ulong)bit << i;
            }

            return value;
        }
    }
}
