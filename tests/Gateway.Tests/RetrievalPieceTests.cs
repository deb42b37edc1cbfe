using System.Net;
using System.Net.Http.Headers;
using Granary.Filecoin.Pieces;
using Granary.Grains.Pieces;
using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Proofs.Seal;

namespace Granary.Gateway.Tests;

/// <summary><c>/piece/{cid}</c> over real HTTP: whole pieces, ranges, HEAD, caching headers, v2 CIDs, the unsealed copy, refusals.</summary>
public sealed class RetrievalPieceTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("granary-piece-http-").FullName;
    private RetrievalTestNode _node = null!;
    private byte[] _payload = null!;
    private byte[] _piece = null!;
    private string _cid = "";
    private long _pieceSize;

    public async Task InitializeAsync()
    {
        _node = await RetrievalTestNode.StartAsync(_directory);
        _payload = TransferPullerTests.RandomData(300_000, 21);
        var file = Path.Combine(_directory, "payload.bin");
        await File.WriteAllBytesAsync(file, _payload);
        _pieceSize = CommP.Compute(_payload).PaddedSize;
        _cid = await _node.AddPieceAsync(file, index: false); // not a CAR: /piece serves it all the same
        _piece = new byte[PaddedPieceSize.Unpadded(_pieceSize)];
        _payload.CopyTo(_piece, 0);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_whole_piece_is_the_payload_then_zeros_with_immutable_caching_headers()
    {
        using var response = await _node.Http.GetAsync($"/piece/{_cid}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_piece, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/piece", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(_piece.Length, response.Content.Headers.ContentLength);
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
        Assert.Equal("public, max-age=29030400, immutable", response.Headers.CacheControl!.ToString());
        Assert.Equal($"\"{_cid}\"", response.Headers.ETag!.Tag);

        using var head = await _node.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/piece/{_cid}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(_piece.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{_cid}\"", head.Headers.ETag!.Tag);

        var cached = new HttpRequestMessage(HttpMethod.Get, $"/piece/{_cid}");
        cached.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{_cid}\""));
        using var notModified = await _node.Http.SendAsync(cached);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("bytes=100-199", 100, 100)]
    [InlineData("bytes=299990-300009", 299_990, 20)] // across the end of the payload into the zeros
    [InlineData("bytes=0-0", 0, 1)]
    [InlineData("bytes=-50", -50, 50)]
    [InlineData("bytes=250000-", 250_000, -1)]
    [InlineData("bytes=10-99999999", 10, -1)]
    public async Task A_single_range_is_answered_with_206_and_its_content_range(string range, long start, long length)
    {
        var from = start < 0 ? _piece.Length + start : start;
        var count = length < 0 ? _piece.Length - from : length;
        var request = new HttpRequestMessage(HttpMethod.Get, $"/piece/{_cid}");
        request.Headers.TryAddWithoutValidation("Range", range);
        using var response = await _node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {from}-{from + count - 1}/{_piece.Length}", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal(_piece.AsSpan((int)from, (int)count).ToArray(), await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("bytes=999999999-")]
    [InlineData("bytes=500-100")]
    [InlineData("bytes=abc-")]
    [InlineData("bytes=-0")]
    [InlineData("items=0-10")]
    [InlineData("bytes=")]
    public async Task An_unsatisfiable_or_malformed_range_is_416_with_the_length(string range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/piece/{_cid}");
        request.Headers.TryAddWithoutValidation("Range", range);
        using var response = await _node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{_piece.Length}", response.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task Several_ranges_or_a_stale_if_range_get_the_whole_piece()
    {
        var several = new HttpRequestMessage(HttpMethod.Get, $"/piece/{_cid}");
        several.Headers.TryAddWithoutValidation("Range", "bytes=0-9, 20-29");
        using var all = await _node.Http.SendAsync(several);
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal(_piece.Length, (await all.Content.ReadAsByteArrayAsync()).Length);

        var stale = new HttpRequestMessage(HttpMethod.Get, $"/piece/{_cid}");
        stale.Headers.TryAddWithoutValidation("Range", "bytes=0-9");
        stale.Headers.TryAddWithoutValidation("If-Range", "\"something-else\"");
        using var whole = await _node.Http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);

        var fresh = new HttpRequestMessage(HttpMethod.Get, $"/piece/{_cid}");
        fresh.Headers.TryAddWithoutValidation("Range", "bytes=0-9");
        fresh.Headers.TryAddWithoutValidation("If-Range", $"\"{_cid}\"");
        using var part = await _node.Http.SendAsync(fresh);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
    }

    [Fact]
    public async Task A_v2_piece_cid_serves_the_same_bytes_and_a_v2_cid_of_another_size_is_not_found()
    {
        var commitment = PieceKey.Parse(_cid).Commitment;
        var v2 = PieceCid.V2(commitment, _payload.Length).ToString();
        using var response = await _node.Http.GetAsync($"/piece/{v2}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"\"{v2}\"", response.Headers.ETag!.Tag);
        Assert.Equal(_piece, await response.Content.ReadAsByteArrayAsync());

        var otherSize = PieceCid.V2(commitment, _payload.Length * 4).ToString();
        using var missing = await _node.Http.GetAsync($"/piece/{otherSize}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Once_staging_is_gone_the_piece_is_served_from_the_unsealed_sector_copy()
    {
        var sector = new SectorId(1000, 3);
        var unsealed = Path.Combine(_directory, sector.Name);
        var filler = await PieceWriter.AddPieceAsync(SealProofType.Sector8MiB, unsealed, [], new MemoryStream(new byte[10]), 128);
        var added = await PieceWriter.AddPieceAsync(SealProofType.Sector8MiB, unsealed, [filler.Piece], new MemoryStream(_payload), _pieceSize);
        _node.Cluster.UnsealedFiles[sector] = unsealed;
        var piece = _node.Cluster.Grains.GetPiece(_cid);
        await piece.AddSectorLocation(sector, added.Offset, _pieceSize);
        await piece.SetStaging(null);

        Assert.Equal(_piece, await _node.Http.GetByteArrayAsync($"/piece/{_cid}"));
        var request = new HttpRequestMessage(HttpMethod.Get, $"/piece/{_cid}");
        request.Headers.Range = new RangeHeaderValue(127 * 100 - 3, 127 * 100 + 5);
        using var response = await _node.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(_piece.AsSpan(127 * 100 - 3, 9).ToArray(), await response.Content.ReadAsByteArrayAsync());

        // Neither staged nor readable in a sector: not found, saying why.
        _node.Cluster.UnsealedFiles.TryRemove(sector, out _);
        using var gone = await _node.Http.GetAsync($"/piece/{_cid}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains($"no unsealed copy of {sector}", await gone.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/piece/baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq", HttpStatusCode.NotFound, "not stored here")]
    [InlineData("/piece/not-a-cid", HttpStatusCode.BadRequest, "not a piece CID")]
    [InlineData("/piece/bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", HttpStatusCode.BadRequest, "not a piece CID")]
    [InlineData("/piece/", HttpStatusCode.BadRequest, "expected /piece/{pieceCid}")]
    [InlineData("/piece/a/b", HttpStatusCode.BadRequest, "expected /piece/{pieceCid}")]
    [InlineData("/pieces/x", HttpStatusCode.NotFound, "serves /piece/{pieceCid} and /ipfs/{cid}")]
    [InlineData("/", HttpStatusCode.NotFound, "serves /piece/{pieceCid} and /ipfs/{cid}")]
    public async Task Unknown_pieces_are_404_and_bad_cids_400(string path, HttpStatusCode status, string message)
    {
        using var response = await _node.Http.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task Only_get_and_head_are_served()
    {
        using var response = await _node.Http.PostAsync($"/piece/{_cid}", new ByteArrayContent([1]));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow.Order());
    }
}
