using System.Security.Cryptography;
using System.Text.Json;
using Granary.Filecoin.Car;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Tests.Interop;

namespace Granary.Filecoin.Tests;

/// <summary>CAR v1/v2 against go-car's fixtures and @ipld/car + @ipld/dag-cbor, both directions.</summary>
public sealed class CarTests
{
    [Fact]
    public async Task Go_car_sample_v1_reads_like_ipld_car_reads_it_and_every_block_hashes_to_its_cid()
    {
        var ours = await ReadAllAsync(Vectors.Path("car/sample-v1.car"));
        var js = JsonDocument.Parse(NodeScript.Run("filecoin", "car.mjs", ["check", Vectors.Path("car/sample-v1.car")])).RootElement;

        Assert.Equal(js.GetProperty("roots").EnumerateArray().Select(r => r.GetString()), ours.Reader.Roots.Select(r => r.ToString()));
        var jsBlocks = js.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal(jsBlocks.Count, ours.Blocks.Count);
        Assert.True(ours.Blocks.Count > 1000);
        for (var i = 0; i < jsBlocks.Count; i++)
        {
            Assert.Equal(jsBlocks[i].GetProperty("cid").GetString(), ours.Blocks[i].Cid.ToString());
            Assert.Equal(jsBlocks[i].GetProperty("length").GetInt32(), ours.Blocks[i].Data.Length);
        }

        Assert.All(ours.Blocks.Where(b => b.Cid.Hash.Code == Multihash.Blake2b256), b => Assert.Equal(b.Cid.Hash.Digest, Blake2b.Hash256(b.Data.Span)));
    }

    [Fact]
    public async Task Go_car_wrapped_v2_has_the_v1_blocks_and_an_index_pointing_at_each()
    {
        var v1 = await ReadAllAsync(Vectors.Path("car/sample-v1.car"));
        await using var file = File.OpenRead(Vectors.Path("car/sample-wrapped-v2.car"));
        var v2 = await CarReader.OpenAsync(file);
        var blocks = await ToListAsync(v2.ReadBlocksAsync());

        Assert.Equal(2, v2.Version);
        Assert.Equal(v1.Reader.Roots, v2.Roots);
        Assert.Equal(v1.Blocks.Select(b => b.Cid), blocks.Select(b => b.Cid));
        var index = await CarV2Index.ReadAsync(file, v2.V2Header!);
        // Without the fully-indexed characteristic, identity CIDs (data inlined in the CID) are not indexed.
        Assert.False(v2.V2Header!.FullyIndexed);
        var indexed = blocks.Where(b => b.Cid.Hash.Code != Multihash.Identity).ToList();
        Assert.Equal(indexed.Select(b => b.Cid.Hash).Distinct().Count(), index.Count);
        Assert.All(indexed, b => Assert.Equal(b.SectionOffset, index[b.Cid.Hash]));
    }

    [Fact]
    public async Task A_car_written_by_ipld_car_reads_here_with_canonical_dag_cbor_blocks()
    {
        var path = Path.Combine(Path.GetTempPath(), $"granary-js-{Guid.NewGuid():N}.car");
        try
        {
            var js = JsonDocument.Parse(NodeScript.Run("filecoin", "car.mjs", ["write", path, "40"])).RootElement;
            var ours = await ReadAllAsync(path);

            Assert.Equal(js.GetProperty("roots")[0].GetString(), ours.Reader.Roots.Single().ToString());
            Assert.Equal(js.GetProperty("blocks").EnumerateArray().Select(b => b.GetString()), ours.Blocks.Select(b => b.Cid.ToString()));
            Cid? previous = null;
            foreach (var block in ours.Blocks)
            {
                Assert.Equal(block.Cid.Hash.Digest, SHA256.HashData(block.Data.Span));
                var r = DagCbor.Reader(block.Data);        // canonical mode: refuses anything non-canonical
                Assert.Equal(4, r.ReadStartMap());
                Assert.Equal("i", r.ReadTextString());
                r.ReadInt32();
                Assert.Equal("data", r.ReadTextString());
                r.ReadByteString();
                Assert.Equal("link", r.ReadTextString());
                var link = r.PeekState() == System.Formats.Cbor.CborReaderState.Null ? null : r.ReadCid();
                if (link is null)
                {
                    r.ReadNull();
                }

                Assert.Equal(previous, link);
                previous = block.Cid;
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_car_written_here_reads_in_ipld_car_with_canonical_blocks()
    {
        var path = Path.Combine(Path.GetTempPath(), $"granary-cs-{Guid.NewGuid():N}.car");
        try
        {
            var cids = new List<Cid>();
            var blocks = new List<(Cid, byte[])>();
            Cid? previous = null;
            for (var i = 0; i < 30; i++)
            {
                var w = DagCbor.Writer();
                w.WriteStartMap(previous is null ? 2 : 3);
                w.WriteTextString("n");                    // keys deliberately written in canonical (length-first) order
                w.WriteInt32(i - 15);
                if (previous is not null)
                {
                    w.WriteTextString("up");
                    w.WriteCid(previous);
                }

                w.WriteTextString("bytes");
                w.WriteByteString(new byte[i * 3]);
                w.WriteEndMap();
                var bytes = w.Encode();
                previous = new Cid(1, Cid.DagCbor, new Multihash(Multihash.Sha2_256, SHA256.HashData(bytes)));
                blocks.Add((previous, bytes));
                cids.Add(previous);
            }

            await using (var file = File.Create(path))
            {
                var writer = new CarWriter(file);
                await writer.WriteHeaderAsync([previous!]);
                foreach (var (cid, bytes) in blocks)
                {
                    await writer.WriteBlockAsync(cid, bytes);
                }
            }

            var js = JsonDocument.Parse(NodeScript.Run("filecoin", "car.mjs", ["check", path])).RootElement;
            Assert.Equal(previous!.ToString(), js.GetProperty("roots")[0].GetString());
            var jsBlocks = js.GetProperty("blocks").EnumerateArray().ToList();
            Assert.Equal(cids.Select(c => c.ToString()), jsBlocks.Select(b => b.GetProperty("cid").GetString()));
            Assert.All(jsBlocks, b => Assert.True(b.GetProperty("hashOk").GetBoolean() && b.GetProperty("canonical").GetBoolean()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("car/sample-corrupt-pragma.car")]
    [InlineData("car/sample-v1-tailing-corrupt-section.car")]
    [InlineData("car/badheaderlength.car")]
    [InlineData("car/badsectionlength.car")]
    public async Task Corrupt_cars_from_go_car_are_refused_with_a_typed_error(string name)
    {
        await Assert.ThrowsAsync<FilecoinFormatException>(() => ReadAllAsync(Vectors.Path(name)));
    }

    [Fact]
    public async Task Limits_stop_oversized_headers_and_sections_before_allocating()
    {
        var limits = new CarLimits(MaxHeaderBytes: 16, MaxSectionBytes: 100);
        await using var file = File.OpenRead(Vectors.Path("car/sample-v1.car"));
        Assert.Contains("header length", (await Assert.ThrowsAsync<FilecoinFormatException>(() => CarReader.OpenAsync(file, limits))).Message);

        await using var again = File.OpenRead(Vectors.Path("car/sample-v1.car"));
        var reader = await CarReader.OpenAsync(again, limits with { MaxHeaderBytes = 1 << 20 });
        Assert.Contains("larger than 100", (await Assert.ThrowsAsync<FilecoinFormatException>(() => ToListAsync(reader.ReadBlocksAsync()))).Message);

        await Assert.ThrowsAsync<FilecoinFormatException>(() => CarReader.OpenAsync(new MemoryStream([])));
        await Assert.ThrowsAsync<FilecoinFormatException>(() => CarReader.OpenAsync(new MemoryStream([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])));
    }

    private static async Task<(CarReader Reader, List<CarBlock> Blocks)> ReadAllAsync(string path)
    {
        await using var file = File.OpenRead(path);
        var reader = await CarReader.OpenAsync(file);
        return (reader, await ToListAsync(reader.ReadBlocksAsync()));
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
