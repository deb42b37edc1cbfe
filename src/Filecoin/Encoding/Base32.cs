namespace Granary.Filecoin.Encoding;

/// <summary>RFC 4648 base32, lower case, no padding: multibase <c>b</c> and Filecoin address text.</summary>
public static class Base32
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>Encodes bytes.</summary>
    public static string Encode(ReadOnlySpan<byte> data)
    {
        var chars = new char[((data.Length * 8) + 4) / 5];
        int buffer = 0, bits = 0, o = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[o++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            chars[o++] = Alphabet[(buffer << (5 - bits)) & 31];
        }

        return new string(chars, 0, o);
    }

    /// <summary>Decodes text (either case; no padding).</summary>
    /// <exception cref="FilecoinFormatException">A character outside the alphabet, or non-zero trailing bits.</exception>
    public static byte[] Decode(ReadOnlySpan<char> text)
    {
        var bytes = new byte[text.Length * 5 / 8];
        int buffer = 0, bits = 0, o = 0;
        foreach (var c in text)
        {
            var v = c switch
            {
                >= 'a' and <= 'z' => c - 'a',
                >= 'A' and <= 'Z' => c - 'A',
                >= '2' and <= '7' => c - '2' + 26,
                _ => throw new FilecoinFormatException($"'{c}' is not a base32 character"),
            };
            buffer = ((buffer << 5) | v) & 0xFFF;
            bits += 5;
            if (bits >= 8)
            {
                bytes[o++] = (byte)(buffer >> (bits - 8));
                bits -= 8;
            }
        }

        if (bits >= 5 || (buffer & ((1 << bits) - 1)) != 0)
        {
            throw new FilecoinFormatException("base32 text has leftover bits");
        }

        return bytes;
    }
}
