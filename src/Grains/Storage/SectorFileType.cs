namespace Granary.Grains.Storage;

/// <summary>
/// The kinds of sector file, as lotus's <c>SectorFileType</c> bits (so <c>Filecoin.StorageList</c> carries the
/// same numbers): the unsealed data, the sealed replica and the cache directory (layers, trees, p_aux).
/// </summary>
[Flags]
public enum SectorFileType
{
    /// <summary>No file.</summary>
    None = 0,

    /// <summary><c>unsealed/s-t0M-N</c>: the Fr32-padded sector data.</summary>
    Unsealed = 1,

    /// <summary><c>sealed/s-t0M-N</c>: the sealed replica.</summary>
    Sealed = 2,

    /// <summary><c>cache/s-t0M-N/</c>: SDR layers and trees while sealing; tree R-last and p_aux after finalize.</summary>
    Cache = 4,
}

/// <summary>Names and sets of <see cref="SectorFileType"/>.</summary>
public static class SectorFileTypes
{
    /// <summary>The single file types, in lotus's order (unsealed, sealed, cache).</summary>
    public static IReadOnlyList<SectorFileType> Each { get; } = [SectorFileType.Unsealed, SectorFileType.Sealed, SectorFileType.Cache];

    /// <summary>Every file type.</summary>
    public const SectorFileType All = SectorFileType.Unsealed | SectorFileType.Sealed | SectorFileType.Cache;

    /// <summary>The directory (and URL) name of a single file type: <c>unsealed</c>, <c>sealed</c>, <c>cache</c>.</summary>
    /// <exception cref="ArgumentException">Not exactly one file type.</exception>
    public static string Name(this SectorFileType type) => type switch
    {
        SectorFileType.Unsealed => "unsealed",
        SectorFileType.Sealed => "sealed",
        SectorFileType.Cache => "cache",
        _ => throw new ArgumentException($"'{type}' is not a single sector file type", nameof(type)),
    };

    /// <summary>The single types set in <paramref name="types"/>, in lotus's order.</summary>
    public static IEnumerable<SectorFileType> Split(this SectorFileType types) => Each.Where(t => (types & t) != 0);

    /// <summary>Reads a single file type name (<c>unsealed</c>, <c>sealed</c>, <c>cache</c>).</summary>
    public static bool TryParse(string? name, out SectorFileType type)
    {
        type = name switch
        {
            "unsealed" => SectorFileType.Unsealed,
            "sealed" => SectorFileType.Sealed,
            "cache" => SectorFileType.Cache,
            _ => SectorFileType.None,
        };
        return type != SectorFileType.None;
    }

    /// <summary>Names joined by commas, e.g. <c>sealed,cache</c>.</summary>
    public static string Describe(this SectorFileType types) =>
        types == SectorFileType.None ? "none" : string.Join(',', types.Split().Select(t => t.Name()));
}
