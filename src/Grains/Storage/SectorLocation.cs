namespace Granary.Grains.Storage;

/// <summary>
/// Where a sector file is (lotus's <c>SectorStorageInfo</c>): the path, its silo, and the URL to fetch the file
/// from with <c>Authorization: Bearer {FetchToken}</c>.
/// </summary>
/// <param name="PathId">The storage path holding the file.</param>
/// <param name="Silo">The silo that attached the path.</param>
/// <param name="Url">The file, e.g. <c>http://10.0.2.11:2345/remote/sealed/s-t01000-5</c>.</param>
/// <param name="BaseUrl">The silo's fetch endpoint, e.g. <c>http://10.0.2.11:2345/remote</c>.</param>
/// <param name="Weight">The path's weight.</param>
/// <param name="CanSeal">Whether the path is sealing scratch.</param>
/// <param name="CanStore">Whether the path is long-term storage.</param>
/// <param name="Primary">Whether this is the sector's long-term copy.</param>
/// <param name="Available">Whether the silo is heard from (a file on an unavailable path cannot be fetched).</param>
/// <param name="FetchToken">The token the silo's fetch endpoint accepts; cluster-internal, never shown by the API.</param>
[GenerateSerializer, Immutable, Alias("granary.SectorLocation")]
public sealed record SectorLocation(
    [property: Id(0)] string PathId,
    [property: Id(1)] string Silo,
    [property: Id(2)] string Url,
    [property: Id(3)] string BaseUrl,
    [property: Id(4)] ulong Weight,
    [property: Id(5)] bool CanSeal,
    [property: Id(6)] bool CanStore,
    [property: Id(7)] bool Primary,
    [property: Id(8)] bool Available,
    [property: Id(9)] string? FetchToken);
