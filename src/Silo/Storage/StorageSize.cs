using System.Globalization;

namespace Granary.Silo.Storage;

/// <summary>Byte sizes on the storage command line, as lotus reads and prints them.</summary>
internal static class StorageSize
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>
    /// Parses <c>--max-storage</c> as lotus does (go-units <c>RAMInBytes</c>): a number with an optional unit, every
    /// unit binary: <c>K</c>, <c>KB</c> and <c>KiB</c> all mean 1024, and so on up to <c>P</c>; no unit means bytes.
    /// </summary>
    /// <exception cref="FormatException">Not such a size, or too large.</exception>
    public static ulong Parse(string text)
    {
        var s = text.Trim();
        var split = 0;
        while (split < s.Length && (char.IsAsciiDigit(s[split]) || s[split] == '.'))
        {
            split++;
        }

        if (split == 0 || !decimal.TryParse(s[..split], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            throw new FormatException($"'{text}' is not a size such as 4TiB, 500G or 1099511627776");
        }

        var unit = s[split..].Trim().ToUpperInvariant();
        var power = unit switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 1,
            "M" or "MB" or "MIB" => 2,
            "G" or "GB" or "GIB" => 3,
            "T" or "TB" or "TIB" => 4,
            "P" or "PB" or "PIB" => 5,
            _ => throw new FormatException($"'{text}': unknown unit '{s[split..].Trim()}' (K, M, G, T, P, with or without B or iB)"),
        };
        var bytes = number;
        for (var i = 0; i < power; i++)
        {
            bytes *= 1024;
        }

        return bytes <= ulong.MaxValue ? (ulong)Math.Round(bytes)
            : throw new FormatException($"'{text}' is too large");
    }

    /// <summary>Formats like lotus's <c>types.SizeStr</c>: <c>1.5 GiB</c>, <c>14 KiB</c>, <c>0 B</c>.</summary>
    public static string Format(long bytes)
    {
        var value = (double)Math.Max(0, bytes);
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return $"{value.ToString(unit == 0 ? "0" : "0.##", CultureInfo.InvariantCulture)} {Units[unit]}";
    }
}
