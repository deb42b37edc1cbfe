using System.Globalization;

namespace Granary.Grains.Storage;

/// <summary>
/// A sector of one miner: the miner's actor id and the sector number (lotus's <c>abi.SectorID</c>). Its
/// file name is lotus's <c>s-t0{miner}-{number}</c>, e.g. <c>s-t01000-5</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.SectorId")]
public readonly record struct SectorId([property: Id(0)] ulong Miner, [property: Id(1)] ulong Number)
{
    /// <summary>The longest sector name accepted (two 20-digit numbers plus the prefix).</summary>
    public const int MaxNameLength = 48;

    /// <summary>The file name lotus gives this sector's files: <c>s-t0{miner}-{number}</c>.</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"s-t0{Miner}-{Number}");

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Parses a sector file name such as <c>s-t01000-5</c>; no other form is accepted.</summary>
    public static bool TryParse(string? name, out SectorId sector)
    {
        sector = default;
        if (name is null || name.Length > MaxNameLength || !name.StartsWith("s-t0", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = name.AsSpan(4);
        var dash = rest.IndexOf('-');
        if (dash <= 0 || dash == rest.Length - 1
            || !IsDigits(rest[..dash]) || !IsDigits(rest[(dash + 1)..])
            || !ulong.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var miner)
            || !ulong.TryParse(rest[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        sector = new SectorId(miner, number);
        // Only the canonical spelling: "s-t001000-5" would name the same sector as a different file.
        return sector.Name == name;
    }

    /// <summary>Parses a sector file name.</summary>
    /// <exception cref="FormatException">Not of the form <c>s-t0{miner}-{number}</c>.</exception>
    public static SectorId Parse(string name) => TryParse(name, out var sector)
        ? sector
        : throw new FormatException($"'{name}' is not a sector name (s-t0MINER-NUMBER, e.g. s-t01000-5)");

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
