using System.Numerics;

namespace Granary.Filecoin.Encoding;

/// <summary>Base58 with Bitcoin's alphabet: multibase <c>z</c>, CIDv0 and libp2p peer ids.</summary>
public static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /// <summary>Longest text accepted by <see cref="Decode"/>.</summary>
    public const int MaxLength = 4096;

    /// <summary>Encodes bytes.</summary>
    public static string Encode(ReadOnlySpan<byte> data)
    {
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }

        var value = new BigInteger(data, isUnsigned: true, isBigEndian: true);
        var chars = new List<char>();
        while (value > 0)
        {
            value = BigInteger.DivRem(value, 58, out var remainder);
            chars.Add(Alphabet[(int)remainder]);
        }

        chars.AddRange(Enumerable.Repeat('1', zeros));
        chars.Reverse();
        return new string([.. chars]);
    }

    /// <summary>Decodes text.</summary>
    /// <exception cref="FilecoinFormatException">A character outside the alphabet, or text too long.</exception>
    public static byte[] Decode(ReadOnlySpan<char> text)
    {
        if (text.Length > MaxLength)
        {
            throw new FilecoinFormatException($"base58 text is longer than {MaxLength} characters");
        }

        BigInteger value = 0;
        var zeros = 0;
        var leading = true;
        foreach (var c in text)
        {
            var digit = Alphabet.IndexOf(c);
            if (digit < 0)
            {
                throw new FilecoinFormatException($"'{c}' is not a base58 character");
            }

            if (leading && digit == 0)
            {
                zeros++;
                continue;
            }

            leading = false;
            value = (value * 58) + digit;
        }

        var body = value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
        return [.. new byte[zeros], .. body];
    }
}
