using System.Net;
using Granary.Filecoin.Pieces;
using Granary.Gateway.Transfer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Gateway.Tests;

/// <summary>HTTP pull against a real Kestrel server: headers, resume after the server is killed, sizes, stalls, CommP.</summary>
public sealed class TransferPullerTests : IDisposable
{
    private static readonly TransferOptions Fast = TransferOptions.Default with { Attempts = 1, RetryDelay = TimeSpan.Zero, StallTimeout = TimeSpan.FromSeconds(5) };
    private readonly string _staging = Directory.CreateTempSubdirectory("granary-pull-").FullName;
    private readonly byte[] _data = RandomData(300_000, 7);

    public void Dispose() => Directory.Delete(_staging, recursive: true);

    [Fact]
    public async Task The_clients_headers_are_sent_and_the_file_is_staged_complete_with_progress_up_to_the_size()
    {
        await using var server = await TransferTestServer.StartAsync(TransferTestServer.Bytes(_data));
        using var puller = Puller(Fast);
        var headers = new Dictionary<string, string> { ["Authorization"] = "Bearer s3cret", ["X-Client-Id"] = "deal-42" };
        var job = new TransferJob(Guid.NewGuid(), new HttpTransferParams(server.Url("/data.car"), headers), _data.Length);
        var seen = new List<long>();

        var path = await puller.PullAsync(job, new SyncProgress(seen.Add));

        Assert.Equal(puller.Staging.FilePath(job.Deal), path);
        Assert.False(File.Exists(puller.Staging.PartPath(job.Deal)));
        Assert.Equal(_data, await File.ReadAllBytesAsync(path));
        var request = Assert.Single(server.Requests);
        Assert.Equal("Bearer s3cret", request.Headers["Authorization"]);
        Assert.Equal("deal-42", request.Headers["X-Client-Id"]);
        Assert.False(request.Headers.ContainsKey("Range"));
        Assert.Equal(_data.Length, seen[^1]);
        Assert.True(seen.SequenceEqual(seen.Order()));
        // Pulling a complete deal again does not download it again.
        Assert.Equal(path, await puller.PullAsync(job));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_server_killed_mid_transfer_and_restarted_is_resumed_with_a_range_request()
    {
        var halfSent = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await TransferTestServer.StartAsync(TransferTestServer.Bytes(_data, afterChunk: async (context, sent) =>
        {
            if (sent >= _data.Length / 2)
            {
                halfSent.TrySetResult(sent);
                await Task.Delay(Timeout.Infinite, context.RequestAborted); // hangs until the server is killed
            }
        }));
        var port = first.Port;
        using var puller = Puller(Fast);
        var job = new TransferJob(Guid.NewGuid(), new HttpTransferParams(first.Url("/data.car"), new Dictionary<string, string>()), _data.Length);
        var pull = puller.PullAsync(job);
        await halfSent.Task;
        await first.DisposeAsync();

        var cut = await Assert.ThrowsAsync<TransferFailedException>(() => pull);
        Assert.True(cut.Retryable, cut.Message);
        var kept = new FileInfo(puller.Staging.PartPath(job.Deal)).Length;
        Assert.InRange(kept, 1, _data.Length - 1);

        await using var second = await TransferTestServer.StartAsync(TransferTestServer.Bytes(_data), port);
        var path = await puller.PullAsync(job);

        Assert.Equal(_data, await File.ReadAllBytesAsync(path));
        var resumed = Assert.Single(second.Requests);
        Assert.Equal($"bytes={kept}-", resumed.Headers["Range"]);
    }

    [Fact]
    public async Task A_server_that_ignores_the_range_is_read_again_from_the_start()
    {
        await using var server = await TransferTestServer.StartAsync(TransferTestServer.Bytes(_data, honourRange: false));
        using var puller = Puller(Fast);
        var job = new TransferJob(Guid.NewGuid(), new HttpTransferParams(server.Url("/data.car"), new Dictionary<string, string>()), _data.Length);
        await File.WriteAllBytesAsync(puller.Staging.PartPath(job.Deal), new byte[1000]); // a part that is not the data's prefix

        var path = await puller.PullAsync(job);

        Assert.Equal("bytes=1000-", Assert.Single(server.Requests).Headers["Range"]);
        Assert.Equal(_data, await File.ReadAllBytesAsync(path));
    }

    [Theory]
    [InlineData(false, -1, "server sends 300000 bytes but the deal's transfer size is 299999")]
    [InlineData(true, -1, "server sent more than the deal's transfer size of 299999 bytes")]
    [InlineData(false, 1, "server has only 300000 bytes but the deal's transfer size is 300001")]
    [InlineData(true, 1, "server's data ended at 300000 bytes but the deal's transfer size is 300001")]
    public async Task More_or_fewer_bytes_than_the_transfer_size_fail_the_transfer_for_good(bool chunked, int sizeDelta, string expected)
    {
        await using var server = await TransferTestServer.StartAsync(TransferTestServer.Bytes(_data, chunked: chunked));
        using var puller = Puller(Fast with { Attempts = 3 });
        var job = new TransferJob(Guid.NewGuid(), new HttpTransferParams(server.Url("/data.car"), new Dictionary<string, string>()), _data.Length + sizeDelta);

        var error = await Assert.ThrowsAsync<TransferFailedException>(() => puller.PullAsync(job));

        Assert.False(error.Retryable);
        Assert.Equal(expected, error.Message);
        Assert.Single(server.Requests); // not retried
        Assert.False(File.Exists(puller.Staging.FilePath(job.Deal)));
    }

    [Fact]
    public async Task A_stalled_server_times_out_and_keeps_what_arrived_for_a_resume()
    {
        await using var server = await TransferTestServer.StartAsync(TransferTestServer.Bytes(_data, afterChunk: (context, sent) =>
            sent >= 100_000 ? Task.Delay(Timeout.Infinite, context.RequestAborted) : Task.CompletedTask));
        using var puller = Puller(Fast with { StallTimeout = TimeSpan.FromMilliseconds(400) });
        var job = new TransferJob(Guid.NewGuid(), new HttpTransferParams(server.Url("/data.car"), new Dictionary<string, string>()), _data.Length);

        var error = await Assert.ThrowsAsync<TransferFailedException>(() => puller.PullAsync(job));

        Assert.True(error.Retryable);
        Assert.Contains("stalled: no data for 0.4 s", error.Message);
        Assert.InRange(new FileInfo(puller.Staging.PartPath(job.Deal)).Length, 100_000, _data.Length - 1);
    }

    [Theory]
    [InlineData(404, false)]
    [InlineData(403, false)]
    [InlineData(503, true)]
    [InlineData(500, true)]
    public async Task Error_statuses_fail_retryably_only_when_the_server_may_recover(int status, bool retryable)
    {
        await using var server = await TransferTestServer.StartAsync(context => { context.Response.StatusCode = status; return Task.CompletedTask; });
        using var puller = Puller(Fast with { Attempts = 2 });
        var job = new TransferJob(Guid.NewGuid(), new HttpTransferParams(server.Url("/data.car"), new Dictionary<string, string>()), 10);

        var error = await Assert.ThrowsAsync<TransferFailedException>(() => puller.PullAsync(job));

        Assert.Equal(retryable, error.Retryable);
        Assert.Contains($"server answered {status}", error.Message);
        Assert.Equal(retryable ? 2 : 1, server.Requests.Count);
    }

    [Fact]
    public async Task An_unreachable_server_fails_retryably()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        using var puller = Puller(Fast);
        var job = new TransferJob(Guid.NewGuid(), new HttpTransferParams(new Uri($"http://127.0.0.1:{port}/x"), new Dictionary<string, string>()), 10);
        var error = await Assert.ThrowsAsync<TransferFailedException>(() => puller.PullAsync(job));
        Assert.True(error.Retryable);
        Assert.Contains("cannot reach http://127.0.0.1:", error.Message);
    }

    [Fact]
    public async Task The_staged_commp_must_equal_the_proposals_piece_cid_zero_padded_to_its_piece_size()
    {
        await using var server = await TransferTestServer.StartAsync(TransferTestServer.Bytes(_data));
        using var puller = Puller(Fast);
        var job = new TransferJob(Guid.NewGuid(), new HttpTransferParams(server.Url("/data.car"), new Dictionary<string, string>()), _data.Length);
        var path = await puller.PullAsync(job);
        var natural = CommP.Compute(_data);
        var larger = natural.PaddedSize * 4;
        var padded = PieceCid.V1(CommP.ZeroPad(natural.Commitment, natural.PaddedSize, larger));

        var atNatural = await PieceDataCheck.VerifyAsync(path, natural.CidV1, natural.PaddedSize, _data.Length);
        var atLarger = await PieceDataCheck.VerifyAsync(path, padded, larger, _data.Length);
        Assert.Equal(natural.Commitment, atNatural.Commitment);
        Assert.Equal(natural.Commitment, atLarger.Commitment);

        var other = CommP.Compute(RandomData(_data.Length, 8)).CidV1;
        var mismatch = await Assert.ThrowsAsync<TransferFailedException>(() => PieceDataCheck.VerifyAsync(path, other, natural.PaddedSize, _data.Length));
        Assert.False(mismatch.Retryable);
        Assert.Equal($"CommP mismatch: the data's piece CID is {natural.CidV1} (as a {natural.PaddedSize}-byte piece) but the proposal says {other}", mismatch.Message);
        // The unpadded commitment at the larger size is not the padded one: the piece size is part of the check.
        await Assert.ThrowsAsync<TransferFailedException>(() => PieceDataCheck.VerifyAsync(path, natural.CidV1, larger, _data.Length));
        var small = await Assert.ThrowsAsync<TransferFailedException>(() => PieceDataCheck.VerifyAsync(path, natural.CidV1, natural.PaddedSize / 2, _data.Length));
        Assert.Contains("do not fit", small.Message);
        var size = await Assert.ThrowsAsync<TransferFailedException>(() => PieceDataCheck.VerifyAsync(path, natural.CidV1, natural.PaddedSize, _data.Length + 1));
        Assert.Contains("transfer size is 300001", size.Message);
    }

    [Theory]
    [InlineData("""{"URL":"https://example.com/a.car","Headers":{"Authorization":"Bearer x"}}""", "https://example.com/a.car", 1)]
    [InlineData("""{"url":"http://example.com/a.car"}""", "http://example.com/a.car", 0)]
    [InlineData("""{"URL":"http://example.com/a.car","Headers":null}""", "http://example.com/a.car", 0)]
    public void Boost_http_transfer_params_parse(string json, string url, int headers)
    {
        var parsed = HttpTransferParams.Parse(System.Text.Encoding.UTF8.GetBytes(json));
        Assert.Equal(new Uri(url), parsed.Url);
        Assert.Equal(headers, parsed.Headers.Count);
    }

    [Theory]
    [InlineData("", "1..")]
    [InlineData("[1]", "JSON object")]
    [InlineData("{", "not JSON")]
    [InlineData("""{"Headers":{}}""", "no absolute URL")]
    [InlineData("""{"URL":"/relative"}""", "not an http or https URL")]
    [InlineData("""{"URL":"file:///etc/passwd"}""", "not an http or https URL")]
    [InlineData("""{"URL":5}""", "must be a string")]
    [InlineData("""{"URL":"http://a/","Headers":{"Range":"bytes=0-"}}""", "set by the provider")]
    [InlineData("""{"URL":"http://a/","Headers":{"Host":"evil"}}""", "set by the provider")]
    [InlineData("""{"URL":"http://a/","Headers":{"X":"a\r\nInjected: 1"}}""", "not a valid HTTP header")]
    [InlineData("""{"URL":"http://a/","Headers":{"Bad Name":"1"}}""", "not a valid HTTP header")]
    [InlineData("""{"URL":"http://a/","Headers":{"X":1}}""", "must be a string")]
    public void Malformed_transfer_params_are_refused_with_the_reason(string json, string expected)
    {
        var error = Assert.Throws<FormatException>(() => HttpTransferParams.Parse(System.Text.Encoding.UTF8.GetBytes(json)));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void The_staging_area_refuses_a_reservation_past_its_limit_with_the_reason()
    {
        var area = new StagingArea(_staging, 1000);
        var a = Guid.NewGuid();
        Assert.True(area.TryReserve(a, 600, out _));
        Assert.True(area.TryReserve(a, 700, out _)); // the same deal again replaces its reservation
        Assert.False(area.TryReserve(Guid.NewGuid(), 400, out var reason));
        Assert.Contains("700 of 1000 bytes are reserved", reason);
        area.Release(a);
        Assert.True(area.TryReserve(Guid.NewGuid(), 1000, out _));
        Assert.False(new StagingArea(_staging, 0).TryReserve(Guid.NewGuid(), long.MaxValue / 2, out var disk));
        Assert.Contains("staging disk is full", disk);
    }

    private TransferPuller Puller(TransferOptions options) =>
        new(new TransferUrlPolicy(allowPrivate: true), new StagingArea(_staging, 0), options, NullLogger<TransferPuller>.Instance);

    internal static byte[] RandomData(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
