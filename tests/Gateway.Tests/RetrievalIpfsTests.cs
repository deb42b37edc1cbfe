using System.Net;
using System.Security.Cryptography;
using Granary.Filecoin.Car;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Encoding;
using Granary.Gateway.Retrieval;

namespace Granary.Gateway.Tests;

/// <summary>
/// The trustless gateway <c>/ipfs/{cid}</c> over real HTTP: CARs read back by @ipld/car with identical blocks, DFS order
/// through dag-cbor and dag-pb links, raw blocks, scopes, and the refusals.
/// </summary>
public sealed class RetrievalIpfsTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("granary-ipfs-http-").FullName;
    private RetrievalTestNode _node = null!;
    private List<Cid> _chain = null!; // block i links to block i-1; the root is the last
    private Dictionary<string, byte[]> _original = null!;

    public async Task InitializeAsync()
    {
        _node = await RetrievalTestNode.StartAsync(_directory);
        var car = Path.Combine(_directory, "chain.car");
        var written = PieceTestFiles.Node("car.mjs", "write", car, "150");
        _chain = written.GetProperty("blocks").EnumerateArray().Select(b => Cid.Parse(b.GetString()!)).ToList();
        _original = await ReadCarAsync(await File.ReadAllBytesAsync(car));
        await _node.AddPieceAsync(car);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_car_of_a_dag_root_reads_back_with_ipld_car_with_identical_blocks_in_depth_first_order()
    {
        var root = _chain[^1];
        using var response = await _node.Http.GetAsync($"/ipfs/{root}?format=car");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.ipld.car; version=1; order=dfs; dups=n", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("public, max-age=29030400, immutable", response.Headers.CacheControl!.ToString());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var file = Path.Combine(_directory, "answer.car");
        await File.WriteAllBytesAsync(file, bytes);

        var checkedByJs = PieceTestFiles.Node("car.mjs", "check", file);
        Assert.Equal([root.ToString()], checkedByJs.GetProperty("roots").EnumerateArray().Select(r => r.GetString()));
        var jsBlocks = checkedByJs.GetProperty("blocks").EnumerateArray().ToList();
        Assert.All(jsBlocks, b => Assert.True(b.GetProperty("hashOk").GetBoolean() && b.GetProperty("canonical").GetBoolean()));
        // Depth first from the root along each block's link: the chain backwards.
        Assert.Equal(Enumerable.Reverse(_chain).Select(c => c.ToString()), jsBlocks.Select(b => b.GetProperty("cid").GetString()));
        var ours = await ReadCarAsync(bytes);
        Assert.Equal(_original.Count, ours.Count);
        Assert.All(ours, b => Assert.Equal(_original[b.Key], b.Value));

        // The same with the Accept header instead of ?format=, and from the middle of the DAG.
        var accept = new HttpRequestMessage(HttpMethod.Get, $"/ipfs/{_chain[40]}");
        accept.Headers.TryAddWithoutValidation("Accept", "text/html, application/vnd.ipld.car;version=1;order=dfs");
        using var middle = await _node.Http.SendAsync(accept);
        Assert.Equal(HttpStatusCode.OK, middle.StatusCode);
        var sub = await ReadCarListAsync(await middle.Content.ReadAsByteArrayAsync());
        Assert.Equal(Enumerable.Range(0, 41).Reverse().Select(i => _chain[i]), sub);
    }

    [Fact]
    public async Task Dag_scope_block_is_the_root_alone_and_head_sends_only_headers()
    {
        var root = _chain[^1];
        var only = await ReadCarListAsync(await _node.Http.GetByteArrayAsync($"/ipfs/{root}?format=car&dag-scope=block"));
        Assert.Equal([root], only);

        using var head = await _node.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/ipfs/{root}?format=car"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.StartsWith("application/vnd.ipld.car", head.Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task A_raw_block_is_the_blocks_exact_bytes()
    {
        var cid = _chain[17];
        using var response = await _node.Http.GetAsync($"/ipfs/{cid}?format=raw");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TrustlessGatewayHandler.RawType, response.Content.Headers.ContentType!.MediaType);
        var data = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(_original[cid.ToString()], data);
        Assert.Equal(cid.Hash.Digest, SHA256.HashData(data));

        var accept = new HttpRequestMessage(HttpMethod.Get, $"/ipfs/{cid}");
        accept.Headers.TryAddWithoutValidation("Accept", "application/vnd.ipld.raw");
        using var byAccept = await _node.Http.SendAsync(accept);
        Assert.Equal(data, await byAccept.Content.ReadAsByteArrayAsync());
        // The same multihash asked for under another codec is the same block.
        var asRaw = new Cid(1, Cid.Raw, cid.Hash);
        Assert.Equal(data, await _node.Http.GetByteArrayAsync($"/ipfs/{asRaw}?format=raw"));
    }

    [Fact]
    public async Task A_unixfs_style_dag_pb_tree_is_walked_through_its_links_in_order()
    {
        var leaves = Enumerable.Range(0, 3).Select(i => TransferPullerTests.RandomData(1000 + i, 100 + i)).ToList();
        var leafCids = leaves.Select(l => new Cid(1, Cid.Raw, new Multihash(Multihash.Sha2_256, SHA256.HashData(l)))).ToList();
        var inner = DagPbNode([leafCids[1], leafCids[2]], [8, 1]);
        var innerCid = new Cid(0, Cid.DagPb, new Multihash(Multihash.Sha2_256, SHA256.HashData(inner)));
        var root = DagPbNode([leafCids[0], innerCid], [8, 2]);
        var rootCid = new Cid(1, Cid.DagPb, new Multihash(Multihash.Sha2_256, SHA256.HashData(root)));
        var file = Path.Combine(_directory, "unixfs.car");
        await using (var output = File.Create(file))
        {
            // Stored out of DAG order: the response must follow the links, not the file.
            var car = new CarWriter(output);
            await car.WriteHeaderAsync([rootCid]);
            await car.WriteBlockAsync(leafCids[2], leaves[2]);
            await car.WriteBlockAsync(innerCid, inner);
            await car.WriteBlockAsync(leafCids[0], leaves[0]);
            await car.WriteBlockAsync(rootCid, root);
            await car.WriteBlockAsync(leafCids[1], leaves[1]);
        }

        await _node.AddPieceAsync(file);
        var bytes = await _node.Http.GetByteArrayAsync($"/ipfs/{rootCid}?format=car");

        Assert.Equal([rootCid, leafCids[0], innerCid, leafCids[1], leafCids[2]], await ReadCarListAsync(bytes));
        var answer = Path.Combine(_directory, "unixfs-answer.car");
        await File.WriteAllBytesAsync(answer, bytes);
        var js = PieceTestFiles.Node("car.mjs", "check", answer);
        Assert.All(js.GetProperty("blocks").EnumerateArray(), b => Assert.True(b.GetProperty("hashOk").GetBoolean()));
        Assert.Equal(5, js.GetProperty("blocks").GetArrayLength());
    }

    [Fact]
    public async Task A_dag_with_a_block_missing_is_refused_or_aborted_never_ended_like_a_complete_car()
    {
        var missing = new Cid(1, Cid.Raw, new Multihash(Multihash.Sha2_256, SHA256.HashData("not stored"u8)));
        var big = TransferPullerTests.RandomData(200_000, 77);
        var bigCid = new Cid(1, Cid.Raw, new Multihash(Multihash.Sha2_256, SHA256.HashData(big)));
        var (small, smallCid) = CborNode(missing);
        var (large, largeCid) = CborNode(bigCid, missing);
        var file = Path.Combine(_directory, "partial.car");
        await using (var output = File.Create(file))
        {
            var car = new CarWriter(output);
            await car.WriteHeaderAsync([smallCid, largeCid]);
            await car.WriteBlockAsync(smallCid, small);
            await car.WriteBlockAsync(largeCid, large);
            await car.WriteBlockAsync(bigCid, big);
        }

        await _node.AddPieceAsync(file);
        // Missing before anything was sent: a clean refusal naming the block.
        using var refused = await _node.Http.GetAsync($"/ipfs/{smallCid}?format=car");
        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Contains($"block {missing} of the DAG", await refused.Content.ReadAsStringAsync());

        // Missing after 200 KB were sent: the body breaks off.
        using var response = await _node.Http.GetAsync($"/ipfs/{largeCid}?format=car", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var broken = await Assert.ThrowsAsync<HttpRequestException>(() => response.Content.ReadAsByteArrayAsync());
        Assert.IsAssignableFrom<IOException>(broken.InnerException);

        // The root block alone is complete.
        Assert.Equal([smallCid], await ReadCarListAsync(await _node.Http.GetByteArrayAsync($"/ipfs/{smallCid}?format=car&dag-scope=block")));
    }

    private static (byte[] Data, Cid Cid) CborNode(params Cid[] links)
    {
        var w = DagCbor.Writer();
        w.WriteStartMap(1);
        w.WriteTextString("links");
        w.WriteStartArray(links.Length);
        foreach (var link in links)
        {
            w.WriteCid(link);
        }

        w.WriteEndArray();
        w.WriteEndMap();
        var data = w.Encode();
        return (data, new Cid(1, Cid.DagCbor, new Multihash(Multihash.Sha2_256, SHA256.HashData(data))));
    }

    [Theory]
    [InlineData("/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy?format=car", HttpStatusCode.NotFound, "not available here")]
    [InlineData("/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy?format=raw", HttpStatusCode.NotFound, "no stored piece holds it")]
    [InlineData("/ipfs/not-a-cid?format=car", HttpStatusCode.BadRequest, "is not a CID")]
    [InlineData("/ipfs/?format=car", HttpStatusCode.BadRequest, "expected /ipfs/{cid}")]
    [InlineData("/ipfs/bafkqaaa?format=raw", HttpStatusCode.BadRequest, "identity CID")]
    public async Task Unknown_blocks_are_404_and_bad_cids_400(string path, HttpStatusCode status, string message)
    {
        using var response = await _node.Http.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("?format=tar", null, HttpStatusCode.BadRequest, "format 'tar' is not car or raw")]
    [InlineData("", null, HttpStatusCode.NotAcceptable, "trustless gateway")]
    [InlineData("", "text/html", HttpStatusCode.NotAcceptable, "trustless gateway")]
    [InlineData("", "application/vnd.ipld.car; version=2", HttpStatusCode.NotAcceptable, "trustless gateway")]
    [InlineData("?format=car&dag-scope=everything", null, HttpStatusCode.BadRequest, "dag-scope 'everything'")]
    [InlineData("/some/path?format=car", null, HttpStatusCode.NotImplemented, "paths under a CID")]
    public async Task Unsupported_formats_scopes_and_paths_are_refused(string suffix, string? accept, HttpStatusCode status, string message)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/ipfs/{_chain[0]}{suffix}");
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await _node.Http.SendAsync(request);
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Dag_links_are_read_from_dag_pb_and_dag_cbor_and_malformed_blocks_are_refused()
    {
        var a = _chain[0];
        var b = _chain[1];
        Assert.Equal([a, b], DagLinks.Of(Cid.DagPb, DagPbNode([a, b], [1])));
        Assert.Equal([a], DagLinks.Of(Cid.DagCbor, _original[b.ToString()]));
        Assert.Empty(DagLinks.Of(Cid.Raw, new byte[] { 1, 2, 3 }));
        Assert.Throws<Granary.Filecoin.FilecoinFormatException>(() => DagLinks.Of(Cid.DagPb, new byte[] { 0x12, 0x50, 0x01 }));
        Assert.Throws<Granary.Filecoin.FilecoinFormatException>(() => DagLinks.Of(Cid.DagCbor, new byte[] { 0xa1, 0x61 }));
    }

    // PBNode { Links: [PBLink { Hash, Name, Tsize }], Data }, links first as dag-pb's canonical form has them.
    private static byte[] DagPbNode(IReadOnlyList<Cid> links, byte[] data)
    {
        var node = new MemoryStream();
        foreach (var (link, i) in links.Select((l, i) => (l, i)))
        {
            var pbLink = new MemoryStream();
            Field(pbLink, 0x0a, link.ToBytes());
            Field(pbLink, 0x12, System.Text.Encoding.UTF8.GetBytes($"part-{i}"));
            pbLink.WriteByte(0x18);
            pbLink.Write(Varint.Encode(1000));
            Field(node, 0x12, pbLink.ToArray());
        }

        Field(node, 0x0a, data);
        return node.ToArray();
    }

    private static void Field(MemoryStream output, byte key, byte[] value)
    {
        output.WriteByte(key);
        output.Write(Varint.Encode((ulong)value.Length));
        output.Write(value);
    }

    private static async Task<Dictionary<string, byte[]>> ReadCarAsync(byte[] car)
    {
        var reader = await CarReader.OpenAsync(new MemoryStream(car));
        var blocks = new Dictionary<string, byte[]>();
        await foreach (var block in reader.ReadBlocksAsync())
        {
            blocks[block.Cid.ToString()] = block.Data.ToArray();
        }

        return blocks;
    }

    private static async Task<List<Cid>> ReadCarListAsync(byte[] car)
    {
        var reader = await CarReader.OpenAsync(new MemoryStream(car));
        return await reader.ReadBlocksAsync().Select(b => b.Cid).ToListAsync();
    }
}
