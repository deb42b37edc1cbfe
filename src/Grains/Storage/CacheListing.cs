using System.Text.Json.Serialization;

namespace Granary.Grains.Storage;

/// <summary>
/// The answer of <c>GET /remote/cache/{sector}</c> (no <c>file</c> parameter): the cache directory's files and
/// their sizes, e.g. <c>{"Files":[{"Name":"p_aux","Size":64},{"Name":"sc-02-data-tree-r-last.dat","Size":4064}]}</c>.
/// Each file is then fetched with <c>GET /remote/cache/{sector}?file=NAME</c>.
/// </summary>
public sealed record CacheListing([property: JsonPropertyName("Files")] IReadOnlyList<CacheFile> Files)
{
    /// <summary>
    /// Whether <paramref name="name"/> may name a cache file on the wire: one plain file name (no directory
    /// parts, no leading dot, no temp-file suffix), so a request can never reach outside the cache directory.
    /// </summary>
    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= 255 }
        && name[0] != '.'
        && !name.EndsWith(".tmp", StringComparison.Ordinal) && !name.EndsWith(".part", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

/// <summary>One file in a <see cref="CacheListing"/>.</summary>
public sealed record CacheFile([property: JsonPropertyName("Name")] string Name, [property: JsonPropertyName("Size")] long Size);
