using System.Net;
using System.Net.Http.Headers;
using Granary.Grains.Sectors;
using Granary.Silo.Api;
using Granary.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Grains.Tests;

/// <summary>
/// A deal's staged CAR fetched by a sealing silo from the silo that received it: the <c>/remote-staging</c> route on a
/// real Kestrel listener, found through <see cref="IStagingEndpointGrain"/>, and the sealing silo's
/// <see cref="StagingFetcher"/> downloading with the route's admin token.
/// </summary>
public sealed class SectorDealStagingTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("granary-staging-route-").FullName;
    private readonly ApiToken _tokens = new(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
    private WebApplication _app = null!;
    private string _url = null!;
    private string _staging = null!;

    public async Task InitializeAsync()
    {
        _staging = Directory.CreateDirectory(Path.Combine(_directory, "staging")).FullName;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        var endpoint = new StagingFileEndpoint(_staging, _tokens, NullLogger<StagingFileEndpoint>.Instance);
        _app.Run(endpoint.HandleAsync);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _url = StagingFileEndpoint.UrlOf($"{address}/remote");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_route_serves_staging_files_only_with_an_admin_token_and_only_inside_the_staging_directory()
    {
        var file = Path.Combine(_staging, "deal.car");
        var bytes = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
        await File.WriteAllBytesAsync(file, bytes);
        var outside = Path.Combine(_directory, "secret.txt");
        await File.WriteAllTextAsync(outside, "not for you");
        Directory.CreateSymbolicLink(Path.Combine(_staging, "escape"), _directory);
        using var http = new HttpClient();
        var admin = _tokens.Issue([Permission.Admin]);

        async Task<HttpResponseMessage> Get(string? query, string? token, HttpMethod? method = null)
        {
            var request = new HttpRequestMessage(method ?? HttpMethod.Get, query is null ? _url : $"{_url}?path={query}");
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            return await http.SendAsync(request);
        }

        var ok = await Get(Uri.EscapeDataString(file), admin);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(bytes, await ok.Content.ReadAsByteArrayAsync());
        var range = new HttpRequestMessage(HttpMethod.Get, $"{_url}?path={Uri.EscapeDataString(file)}");
        range.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        range.Headers.Range = new RangeHeaderValue(4000, null);
        var partial = await http.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(bytes[4000..], await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, (await Get(Uri.EscapeDataString(file), admin, HttpMethod.Head)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Get(Uri.EscapeDataString(file), null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get(Uri.EscapeDataString(file), "not.a.token")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Get(Uri.EscapeDataString(file), _tokens.Issue([Permission.Read, Permission.Write]))).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await Get(Uri.EscapeDataString(file), admin, HttpMethod.Post)).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await Get(Uri.EscapeDataString(outside), admin)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Get(Uri.EscapeDataString(Path.Combine(_staging, "..", "secret.txt")), admin)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Get(Uri.EscapeDataString(Path.Combine(_staging, "escape", "secret.txt")), admin)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Get(Uri.EscapeDataString(_staging + "-other/x"), admin)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Get(Uri.EscapeDataString(Path.Combine(_staging, "missing.car")), admin)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Get("deal.car", admin)).StatusCode); // relative
        Assert.Equal(HttpStatusCode.BadRequest, (await Get(null, admin)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Get(Uri.EscapeDataString(file + "\0"), admin)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Get(Uri.EscapeDataString("/" + new string('a', 5000)), admin)).StatusCode);
        Assert.Equal("http://10.0.0.5:2345/remote-staging", StagingFileEndpoint.UrlOf("http://10.0.0.5:2345/remote"));
        Assert.Equal("https://h.example:99/remote-staging", StagingFileEndpoint.UrlOf("https://h.example:99/custom/path/"));
    }

    [Fact]
    public async Task A_sealing_silo_fetches_a_piece_staged_on_another_silo_through_the_registered_route()
    {
        await using var sectors = await SectorCluster.StartAsync(["Silo_1"], preCommitBatch: 1);
        await sectors.AttachAsync("Silo_1", "seal", seal: true, store: true);
        var fetcher = sectors.Cluster.GetSiloServiceProvider(sectors.Silo("Silo_1").SiloAddress).GetRequiredService<StagingFetcher>();
        var file = Path.Combine(_staging, "piece.car");
        var bytes = new byte[3000];
        new Random(9).NextBytes(bytes);
        await File.WriteAllBytesAsync(file, bytes);
        var registry = sectors.Client.GetGrain<IStagingEndpointGrain>(0);

        var unknown = await Assert.ThrowsAsync<IOException>(() => fetcher.OpenAsync(new DealPieceSource("markets-9", file, bytes.Length), default));
        Assert.Contains("no staging route registered", unknown.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => registry.Register(new StagingEndpoint("markets-9", "ftp://x/remote-staging", "t")));

        await registry.Register(new StagingEndpoint("markets-9", _url, _tokens.Issue([Permission.Admin])));
        await using (var stream = await fetcher.OpenAsync(new DealPieceSource("markets-9", file, bytes.Length), default))
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.Equal(bytes, copy.ToArray());
        }

        Assert.DoesNotContain(Directory.GetFiles(StagingFetcher.TempDirectory), f => new FileInfo(f).Length == bytes.Length
            && File.ReadAllBytes(f).SequenceEqual(bytes)); // the fetched copy went with its stream

        var refused = await Assert.ThrowsAsync<IOException>(() => fetcher.OpenAsync(new DealPieceSource("markets-9", "/etc/hostname", 10), default));
        Assert.Contains("markets-9", refused.Message, StringComparison.Ordinal);
        var wrongLength = await Assert.ThrowsAsync<IOException>(() => fetcher.OpenAsync(new DealPieceSource("markets-9", file, bytes.Length - 1), default));
        Assert.Contains("markets-9", wrongLength.Message, StringComparison.Ordinal);

        await registry.Register(new StagingEndpoint("markets-9", _url, _tokens.Issue([Permission.Read])));
        var weak = await Assert.ThrowsAsync<IOException>(() => fetcher.OpenAsync(new DealPieceSource("markets-9", Path.Combine(_staging, "other.car"), 10), default));
        Assert.Contains("markets-9", weak.Message, StringComparison.Ordinal);
    }
}
