using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Granary.Grains.Storage;
using Granary.Silo.Api;
using Granary.Silo.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Silo.Tests;

/// <summary>
/// Sector files fetched between silos over real HTTP: silo A's <c>/remote</c> endpoint on a Kestrel listener over
/// its local storage (temp directories), silo B's <see cref="SectorFetcher"/> downloading into its own path.
/// </summary>
public sealed class StorageFetchTests : IAsyncLifetime
{
    private static readonly SectorId Sector = new(1000, 5);
    private readonly string _root = Directory.CreateTempSubdirectory("granary-fetch-").FullName;
    private readonly ApiToken _tokens = new(RandomNumberGenerator.GetBytes(32));
    private readonly ConcurrentQueue<(string Path, string? Range, int Status, long? Length)> _requests = new();
    private readonly byte[] _replica = RandomNumberGenerator.GetBytes((1 << 20) + 123);
    private readonly byte[] _tree = RandomNumberGenerator.GetBytes(70_000);
    private readonly byte[] _paux = RandomNumberGenerator.GetBytes(64);
    private WebApplication _app = null!;
    private string _base = null!;
    private SectorFetcher _fetcher = null!;
    private string _pathId = null!;
    private int _flakyRequests;

    public async Task InitializeAsync()
    {
        // Silo A: a sealing path holding a sealed replica and its cache directory.
        var seal = Path.Combine(_root, "a", "seal");
        _pathId = LocalStorage.Initialize(seal, StoragePathConfig.Create(10, canSeal: true, canStore: false, maxStorage: 0)).Id;
        Directory.CreateDirectory(Path.Combine(seal, "sealed"));
        Directory.CreateDirectory(Path.Combine(seal, "cache", Sector.Name));
        await File.WriteAllBytesAsync(Path.Combine(seal, "sealed", Sector.Name), _replica);
        await File.WriteAllBytesAsync(Path.Combine(seal, "cache", Sector.Name, "sc-02-data-tree-r-last.dat"), _tree);
        await File.WriteAllBytesAsync(Path.Combine(seal, "cache", Sector.Name, "p_aux"), _paux);
        await File.WriteAllBytesAsync(Path.Combine(seal, "cache", Sector.Name, "p_aux.tmp"), [1]); // a torn write: never served
        var storage = new LocalStorage(
            new LocalStorageOptions { StorageFile = Path.Combine(_root, "a", "storage.json"), SiloName = "silo-a", RemoteUrl = "unused" },
            () => throw new InvalidOperationException("no sector index in this test"),
            new SectorFetcher(new HttpClient(), new SectorFetcherOptions(), NullLogger<SectorFetcher>.Instance),
            NullLogger<LocalStorage>.Instance);
        await storage.AttachAsync(seal);
        var endpoint = new RemoteSectorEndpoint(storage, _tokens, NullLogger<RemoteSectorEndpoint>.Instance);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            var range = context.Request.Headers.Range.ToString();
            await next();
            _requests.Enqueue((context.Request.Path + context.Request.QueryString, range.Length == 0 ? null : range, context.Response.StatusCode, context.Response.ContentLength));
        });
        // /flaky/...: the first request is cut off halfway through the body, later ones are served normally.
        _app.Map("/flaky", flaky => flaky.Run(async context =>
        {
            if (Interlocked.Increment(ref _flakyRequests) == 1)
            {
                context.Response.ContentLength = _replica.Length;
                await context.Response.Body.WriteAsync(_replica.AsMemory(0, _replica.Length / 2));
                await context.Response.Body.FlushAsync();
                context.Abort();
                return;
            }

            context.Request.Path = RemoteSectorEndpoint.Prefix + context.Request.Path;
            await endpoint.HandleAsync(context);
        }));
        _app.Run(endpoint.HandleAsync);
        await _app.StartAsync();
        _base = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _fetcher = new SectorFetcher(new HttpClient(), new SectorFetcherOptions { IdleTimeout = TimeSpan.FromSeconds(10) }, NullLogger<SectorFetcher>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private string Admin => _tokens.Issue([Permission.Admin]);

    private string Url(string rest) => $"{_base}/remote/{rest}";

    private string B(string name) => Path.Combine(_root, "b", "store", name);

    [Fact]
    public async Task A_sealed_file_on_silo_A_is_fetched_by_silo_B_byte_exact_and_appears_only_when_complete()
    {
        var length = await _fetcher.FetchFileAsync(Url("sealed/s-t01000-5"), Admin, B("fetching/s-t01000-5"), B("sealed/s-t01000-5"), 2 << 20);

        Assert.Equal(_replica.Length, length);
        Assert.Equal(_replica, await File.ReadAllBytesAsync(B("sealed/s-t01000-5")));
        Assert.False(File.Exists(B("fetching/s-t01000-5")));
        var request = Assert.Single(_requests);
        Assert.Equal((200, (long?)_replica.Length, (string?)null), (request.Status, request.Length, request.Range));
    }

    [Fact]
    public async Task A_fetch_resumes_from_what_an_earlier_attempt_kept_with_a_Range_request()
    {
        var kept = 300_000;
        Directory.CreateDirectory(B("fetching"));
        await File.WriteAllBytesAsync(B("fetching/s-t01000-5"), _replica.AsMemory(0, kept).ToArray());

        await _fetcher.FetchFileAsync(Url("sealed/s-t01000-5"), Admin, B("fetching/s-t01000-5"), B("sealed/s-t01000-5"), 2 << 20);

        Assert.Equal(_replica, await File.ReadAllBytesAsync(B("sealed/s-t01000-5")));
        var request = Assert.Single(_requests);
        Assert.Equal(($"bytes={kept}-", 206, (long?)(_replica.Length - kept)), (request.Range, request.Status, request.Length));
    }

    [Fact]
    public async Task A_transfer_cut_off_midway_is_retried_from_where_it_stopped()
    {
        await _fetcher.FetchFileAsync($"{_base}/flaky/sealed/s-t01000-5", Admin, B("fetching/s-t01000-5"), B("sealed/s-t01000-5"), 2 << 20);

        Assert.Equal(_replica, await File.ReadAllBytesAsync(B("sealed/s-t01000-5")));
        Assert.Equal(2, _flakyRequests);
        var resumed = _requests.Last();
        Assert.StartsWith("bytes=", resumed.Range);
        Assert.Equal(206, resumed.Status);
        Assert.True(resumed.Length < _replica.Length, $"the retry fetched {resumed.Length} bytes, not just the rest");
    }

    [Fact]
    public async Task A_cache_directory_is_listed_then_fetched_file_by_file_skipping_files_already_complete()
    {
        using var http = new HttpClient();
        using var listing = await Get(http, Url("cache/s-t01000-5"), Admin);
        var files = JsonDocument.Parse(await listing.Content.ReadAsStringAsync()).RootElement.GetProperty("Files");
        Assert.Equal(["p_aux:64", "sc-02-data-tree-r-last.dat:70000"],
            files.EnumerateArray().Select(f => $"{f.GetProperty("Name").GetString()}:{f.GetProperty("Size").GetInt64()}"));

        // An earlier fetch completed p_aux before it was interrupted.
        Directory.CreateDirectory(B("fetching/s-t01000-5"));
        await File.WriteAllBytesAsync(B("fetching/s-t01000-5/p_aux"), _paux);
        _requests.Clear();

        var total = await _fetcher.FetchDirectoryAsync(Url("cache/s-t01000-5"), Admin, B("fetching/s-t01000-5"), B("cache/s-t01000-5"), 1 << 20);

        Assert.Equal(70_064, total);
        Assert.Equal(_tree, await File.ReadAllBytesAsync(B("cache/s-t01000-5/sc-02-data-tree-r-last.dat")));
        Assert.Equal(_paux, await File.ReadAllBytesAsync(B("cache/s-t01000-5/p_aux")));
        Assert.Equal(["/remote/cache/s-t01000-5", "/remote/cache/s-t01000-5?file=sc-02-data-tree-r-last.dat"], _requests.Select(r => r.Path));
        Assert.False(Directory.Exists(B("fetching/s-t01000-5")));
    }

    [Fact]
    public async Task Without_an_admin_token_nothing_is_served()
    {
        using var http = new HttpClient();
        using var none = await Get(http, Url("sealed/s-t01000-5"), null);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.ToString());
        using var forged = await Get(http, Url("sealed/s-t01000-5"), new ApiToken(RandomNumberGenerator.GetBytes(32)).Issue([Permission.Admin]));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        using var read = await Get(http, Url("sealed/s-t01000-5"), _tokens.Issue(Permissions.UpTo(Permission.Sign)));
        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        Assert.Contains("'admin'", await read.Content.ReadAsStringAsync());

        // The fetcher reports a refusal at once instead of retrying it.
        _requests.Clear();
        var error = await Assert.ThrowsAsync<SectorFetchException>(() =>
            _fetcher.FetchFileAsync(Url("sealed/s-t01000-5"), null, B("fetching/x"), B("sealed/x"), 2 << 20));
        Assert.Contains("refused the fetch token (HTTP 401)", error.Message);
        Assert.Single(_requests);
        Assert.False(File.Exists(B("sealed/x")));
    }

    [Theory]
    [InlineData("sealed/s-t01000-6", HttpStatusCode.NotFound, "holds no sealed file of s-t01000-6")]
    [InlineData("unsealed/s-t01000-5", HttpStatusCode.NotFound, "holds no unsealed file")]
    [InlineData("update/s-t01000-5", HttpStatusCode.BadRequest, "not a sector file type")]
    [InlineData("sealed/s-t001000-5", HttpStatusCode.BadRequest, "not a sector name")]
    [InlineData("sealed/s-t01000-5?file=p_aux", HttpStatusCode.BadRequest, "?file= names a file in a cache directory")]
    [InlineData("cache/s-t01000-5?file=..%2F..%2Fsealed%2Fs-t01000-5", HttpStatusCode.BadRequest, "is not a cache file name")]
    [InlineData("cache/s-t01000-5?file=.hidden", HttpStatusCode.BadRequest, "is not a cache file name")]
    [InlineData("cache/s-t01000-5?file=p_aux.tmp", HttpStatusCode.BadRequest, "is not a cache file name")]
    [InlineData("cache/s-t01000-5?file=sc-02-data-layer-1.dat", HttpStatusCode.NotFound, "has no file sc-02-data-layer-1.dat")]
    [InlineData("stat/no-such-path", HttpStatusCode.NotFound, "is not attached on this silo")]
    [InlineData("sealed", HttpStatusCode.NotFound, "no such resource")]
    [InlineData("sealed/s-t01000-5/extra", HttpStatusCode.NotFound, "no such resource")]
    public async Task Bad_or_unknown_requests_are_answered_with_a_status_and_a_reason(string rest, HttpStatusCode status, string reason)
    {
        using var http = new HttpClient();
        using var response = await Get(http, Url(rest), Admin);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(reason, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_file_over_the_callers_limit_is_refused_before_it_is_written_and_ranges_and_stat_are_served()
    {
        var error = await Assert.ThrowsAsync<SectorFetchException>(() =>
            _fetcher.FetchFileAsync(Url("sealed/s-t01000-5"), Admin, B("fetching/s-t01000-5"), B("sealed/s-t01000-5"), 1 << 20));
        Assert.Contains($"the file is {_replica.Length} bytes; the limit is {1 << 20}", error.Message);
        Assert.False(File.Exists(B("sealed/s-t01000-5")));
        Assert.Equal(0, File.Exists(B("fetching/s-t01000-5")) ? new FileInfo(B("fetching/s-t01000-5")).Length : 0);

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("cache/s-t01000-5?file=sc-02-data-tree-r-last.dat"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Admin);
        request.Headers.Range = new RangeHeaderValue(100, 199);
        using var ranged = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
        Assert.Equal(_tree[100..200], await ranged.Content.ReadAsByteArrayAsync());

        using var stat = await Get(http, Url($"stat/{_pathId}"), Admin);
        var fs = JsonDocument.Parse(await stat.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["Capacity", "Available", "FSAvailable", "Reserved", "Max", "Used"], fs.EnumerateObject().Select(p => p.Name));
        Assert.Equal(_replica.Length + _tree.Length + _paux.Length + 1, fs.GetProperty("Used").GetInt64());

        using var post = new HttpRequestMessage(HttpMethod.Post, Url("sealed/s-t01000-5"));
        post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Admin);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.SendAsync(post)).StatusCode);
    }

    private static async Task<HttpResponseMessage> Get(HttpClient http, string url, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await http.SendAsync(request);
    }
}
