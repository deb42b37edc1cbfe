using System.Globalization;

namespace Granary.Grains.Sealing.Workers;

/// <summary>Byte counts in binary units as lotus writes them (<c>2KiB</c>, <c>64GiB</c>), for config and output.</summary>
public static class ByteSize
{
    private static readonly (string Unit, long Factor)[] Units =
        [("TiB", 1L << 40), ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("B", 1)];

    /// <summary>Formats <paramref name="bytes"/> with the largest unit that keeps it ≥ 1, e.g. <c>1.5 GiB</c>, <c>14 KiB</c>.</summary>
    public static string Format(long bytes)
    {
        foreach (var (unit, factor) in Units)
        {
            if (Math.Abs(bytes) >= factor || factor == 1)
            {
                var value = (double)bytes / factor;
                return $"{value.ToString(value == Math.Floor(value) ? "0" : "0.#", CultureInfo.InvariantCulture)} {unit}";
            }
        }

        return $"{bytes} B";
    }

    /// <summary>
    /// Parses <c>NUMBER[UNIT]</c> with a binary unit (<c>B</c>, <c>KiB</c>, <c>MiB</c>, <c>GiB</c>, <c>TiB</c>; no unit:
    /// bytes), e.g. <c>64GiB</c>, <c>1.5 GiB</c>, <c>2048</c>.
    /// </summary>
    /// <exception cref="FormatException">Not a size, a decimal unit (<c>GB</c>), negative or too large.</exception>
    public static long Parse(string text)
    {
        var s = text.Trim();
        var split = 0;
        while (split < s.Length && (char.IsAsciiDigit(s[split]) || s[split] == '.'))
        {
            split++;
        }

        var unitText = s[split..].Trim();
        if (split == 0 || !decimal.TryParse(s[..split], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            throw new FormatException($"'{text}' is not a size such as \"64GiB\" or \"512MiB\"");
        }

        long factor;
        if (unitText.Length == 0)
        {
            factor = 1;
        }
        else if (Units.FirstOrDefault(u => string.Equals(u.Unit, unitText, StringComparison.OrdinalIgnoreCase)) is { Unit: not null } unit)
        {
            factor = unit.Factor;
        }
        else if (unitText.Length == 2 && "KMGT".Contains(char.ToUpperInvariant(unitText[0])) && char.ToUpperInvariant(unitText[1]) == 'B')
        {
            throw new FormatException($"'{text}': use binary units ({char.ToUpperInvariant(unitText[0])}iB), as lotus does");
        }
        else
        {
            throw new FormatException($"'{text}': unknown unit '{unitText}' (B, KiB, MiB, GiB, TiB)");
        }

        var bytes = number * factor;
        if (bytes > long.MaxValue / 2)
        {
            throw new FormatException($"'{text}' is too large");
        }

        return (long)Math.Round(bytes);
    }
}
