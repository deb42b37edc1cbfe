namespace Granary.Grains.Storage;

/// <summary>
/// A storage path as the sector index knows it (lotus's <c>StorageInfo</c>): its <c>sectorstore.json</c>, the
/// silo that attached it, where it lives on that silo, and the URL other silos fetch its files from.
/// </summary>
/// <param name="Config">The path's <c>sectorstore.json</c>.</param>
/// <param name="Silo">The name of the silo that attached it.</param>
/// <param name="LocalPath">The directory on that silo.</param>
/// <param name="Url">The silo's fetch endpoint, e.g. <c>http://10.0.2.11:2345/remote</c>; a file is at
/// <c>{Url}/{sealed|unsealed|cache}/s-t0{miner}-{number}</c>.</param>
[GenerateSerializer, Immutable, Alias("granary.StoragePathInfo")]
public sealed record StoragePathInfo(
    [property: Id(0)] StoragePathConfig Config,
    [property: Id(1)] string Silo,
    [property: Id(2)] string LocalPath,
    [property: Id(3)] string Url)
{
    /// <summary>The path's ID (from its <c>sectorstore.json</c>).</summary>
    public string Id => Config.Id;
}
