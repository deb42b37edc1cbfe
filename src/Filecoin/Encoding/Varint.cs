namespace Granary.Filecoin.Encoding;

/// <summary>Unsigned LEB128 varints as multiformats uses them: at most 9 bytes, minimal encoding only.</summary>
public static class Varint
{
    /// <summary>Longest accepted varint (63-bit values), as the multiformats spec limits it.</summary>
    public const int MaxBytes = 9;

    /// <summary>Bytes needed for <paramref name="value"/>.</summary>
    public static int Size(ulong value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }

        return n;
    }

    /// <summary>Writes <paramref name="value"/>; returns the bytes written.</summary>
    public static int Write(ulong value, Span<byte> destination)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Encodes <paramref name="value"/>.</summary>
    public static byte[] Encode(ulong value)
    {
        var bytes = new byte[Size(value)];
        Write(value, bytes);
        return bytes;
    }

    /// <summary>Reads a varint from the start of <paramref name="source"/>.</summary>
    /// <exception cref="FilecoinFormatException">Truncated, longer than 9 bytes, or not minimally encoded.</exception>
    public static ulong Read(ReadOnlySpan<byte> source, out int consumed)
    {
        ulong value = 0;
        for (var i = 0; i < MaxBytes; i++)
        {
            if (i >= source.Length)
            {
                throw new FilecoinFormatException("varint is truncated");
            }

            var b = source[i];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0)
                {
                    throw new FilecoinFormatException("varint is not minimally encoded");
                }

                consumed = i + 1;
                return value;
            }
        }

        throw new FilecoinFormatException($"varint is longer than {MaxBytes} bytes");
    }
}
