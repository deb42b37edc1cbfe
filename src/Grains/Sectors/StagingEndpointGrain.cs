namespace Granary.Grains.Sectors;

/// <inheritdoc cref="IStagingEndpointGrain" />
/// <remarks>Not persisted on purpose: the tokens stay out of the database, and the silos register again.</remarks>
public sealed class StagingEndpointGrain : Grain, IStagingEndpointGrain
{
    private readonly Dictionary<string, StagingEndpoint> _endpoints = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task Register(StagingEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (string.IsNullOrEmpty(endpoint.Silo) || !Uri.TryCreate(endpoint.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"'{endpoint.Url}' of silo '{endpoint.Silo}' is not an http(s) staging route");
        }

        _endpoints[endpoint.Silo] = endpoint;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<StagingEndpoint?> Find(string silo) => Task.FromResult(_endpoints.GetValueOrDefault(silo ?? ""));
}
