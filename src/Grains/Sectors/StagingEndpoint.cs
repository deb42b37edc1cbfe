namespace Granary.Grains.Sectors;

/// <summary>Where a silo serves its deal staging files to other silos (its <c>/remote-staging</c> route).</summary>
/// <param name="Silo">The silo's name.</param>
/// <param name="Url">The route's URL (<c>http://HOST:PORT/remote-staging</c>); a file is <c>{Url}?path=ABSOLUTE-PATH</c>.</param>
/// <param name="Token">The admin token the route accepts; cluster-internal, never shown by the API.</param>
[GenerateSerializer, Immutable, Alias("granary.StagingEndpoint")]
public sealed record StagingEndpoint(
    [property: Id(0)] string Silo,
    [property: Id(1)] string Url,
    [property: Id(2)] string Token);
