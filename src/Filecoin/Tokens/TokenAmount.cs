using System.Globalization;
using System.Numerics;

namespace Granary.Filecoin.Tokens;

/// <summary>
/// An amount of FIL in attoFIL (10^-18 FIL). On chain it is a big integer as bytes: empty for zero, else a
/// sign byte (0 positive, 1 negative) and the big-endian magnitude.
/// </summary>
public readonly record struct TokenAmount(BigInteger AttoFil) : IComparable<TokenAmount>
{
    /// <summary>attoFIL per FIL.</summary>
    public static readonly BigInteger AttoPerFil = BigInteger.Pow(10, 18);

    /// <summary>Longest big-integer encoding accepted (as Lotus limits it).</summary>
    public const int MaxBytes = 128;

    /// <summary>Zero.</summary>
    public static TokenAmount Zero => default;

    /// <summary>Whole FIL.</summary>
    public static TokenAmount FromFil(long fil) => new(fil * AttoPerFil);

    /// <summary>The on-chain byte form.</summary>
    public byte[] ToBytes()
    {
        if (AttoFil.IsZero)
        {
            return [];
        }

        var magnitude = BigInteger.Abs(AttoFil).ToByteArray(isUnsigned: true, isBigEndian: true);
        return [(byte)(AttoFil.Sign < 0 ? 1 : 0), .. magnitude];
    }

    /// <summary>Reads the on-chain byte form.</summary>
    /// <exception cref="FilecoinFormatException">Bad sign byte, leading zeros or too long.</exception>
    public static TokenAmount FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return Zero;
        }

        if (bytes.Length > MaxBytes)
        {
            throw new FilecoinFormatException($"big integer of {bytes.Length} bytes is longer than {MaxBytes}");
        }

        if (bytes[0] > 1)
        {
            throw new FilecoinFormatException($"big integer has sign byte {bytes[0]}; expected 0 or 1");
        }

        if (bytes.Length == 1 || bytes[1] == 0)
        {
            throw new FilecoinFormatException("big integer is not minimally encoded");
        }

        var magnitude = new BigInteger(bytes[1..], isUnsigned: true, isBigEndian: true);
        return new TokenAmount(bytes[0] == 1 ? -magnitude : magnitude);
    }

    /// <summary>Lotus's text form: <c>1.5 FIL</c>, <c>0 FIL</c>.</summary>
    public override string ToString()
    {
        var whole = BigInteger.DivRem(BigInteger.Abs(AttoFil), AttoPerFil, out var fraction);
        var text = fraction.IsZero ? whole.ToString(CultureInfo.InvariantCulture)
            : $"{whole.ToString(CultureInfo.InvariantCulture)}.{fraction.ToString(CultureInfo.InvariantCulture).PadLeft(18, '0').TrimEnd('0')}";
        return $"{(AttoFil.Sign < 0 ? "-" : "")}{text} FIL";
    }

    /// <summary>Parses <c>1.5</c>, <c>1.5 FIL</c>, <c>1.5fil</c> or <c>1500 attofil</c>.</summary>
    /// <exception cref="FilecoinFormatException">Not an amount, or finer than one attoFIL.</exception>
    public static TokenAmount Parse(string text)
    {
        var s = text.Trim();
        var atto = false;
        if (s.EndsWith("attofil", StringComparison.OrdinalIgnoreCase))
        {
            atto = true;
            s = s[..^7].TrimEnd();
        }
        else if (s.EndsWith("fil", StringComparison.OrdinalIgnoreCase))
        {
            s = s[..^3].TrimEnd();
        }

        var negative = s.StartsWith('-');
        var digits = negative ? s[1..] : s;
        var parts = digits.Split('.');
        if (digits.Length is 0 or > 100 || parts.Length > 2 || parts.Any(p => p.Length == 0 || !p.All(char.IsAsciiDigit)) || (atto && parts.Length > 1))
        {
            throw new FilecoinFormatException($"'{text}' is not an amount of FIL");
        }

        if (parts.Length == 2 && parts[1].TrimEnd('0').Length > 18)
        {
            throw new FilecoinFormatException($"'{text}' is finer than one attoFIL");
        }

        var value = BigInteger.Parse(parts[0], CultureInfo.InvariantCulture) * (atto ? 1 : AttoPerFil);
        if (parts.Length == 2)
        {
            value += BigInteger.Parse(parts[1].TrimEnd('0').PadRight(18, '0')[..18], CultureInfo.InvariantCulture);
        }

        return new TokenAmount(negative ? -value : value);
    }

    /// <inheritdoc />
    public int CompareTo(TokenAmount other) => AttoFil.CompareTo(other.AttoFil);

    /// <summary>Sum.</summary>
    public static TokenAmount operator +(TokenAmount a, TokenAmount b) => new(a.AttoFil + b.AttoFil);

    /// <summary>Difference.</summary>
    public static TokenAmount operator -(TokenAmount a, TokenAmount b) => new(a.AttoFil - b.AttoFil);

    /// <summary>Less than.</summary>
    public static bool operator <(TokenAmount a, TokenAmount b) => a.AttoFil < b.AttoFil;

    /// <summary>Greater than.</summary>
    public static bool operator >(TokenAmount a, TokenAmount b) => a.AttoFil > b.AttoFil;

    /// <summary>Less or equal.</summary>
    public static bool operator <=(TokenAmount a, TokenAmount b) => a.AttoFil <= b.AttoFil;

    /// <summary>Greater or equal.</summary>
    public static bool operator >=(TokenAmount a, TokenAmount b) => a.AttoFil >= b.AttoFil;
}
