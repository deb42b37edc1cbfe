using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Granary.Filecoin;
using Granary.Filecoin.Car;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Encoding;
using Granary.Gateway.Wire;
using Granary.Libp2p.Multiaddrs;
using Granary.Silo.Chain;
using Granary.Silo.Client;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary>
/// The storage client's own formats: the UnixFS CAR it builds (read back by @ipld/car, @ipld/dag-pb and
/// ipfs-unixfs-exporter, byte for byte), the CAR check of retrievals against malformed, truncated, forged and padded
/// CARs, the wallet's key files, and the retrieval URL taken from the transports answer.
/// </summary>
public sealed class ClientCarTests
{
    [Theory]
    [InlineData(1, 1024)] // one chunk: the root is the raw block
    [InlineData(5000, 1024)] // five leaves under one dag-pb node
    [InlineData(200 * 1024 + 17, 1024)] // 201 leaves: two levels (174 links at most per node)
    [InlineData(1 << 20, UnixFsCar.ChunkSize)] // the default chunker: 4 leaves of 256 KiB
    public async Task The_UnixFS_CAR_is_read_back_by_the_js_reference_and_by_the_client_byte_for_byte(int size, int chunk)
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "data.bin");
        var data = RandomNumberGenerator.GetBytes(size);
        await File.WriteAllBytesAsync(file, data);
        var car = Path.Combine(dir.Path, "data.car");
        UnixFsCarResult built;
        await using (var stream = File.Create(car))
        {
            built = await UnixFsCar.WriteAsync(file, stream, chunk);
        }

        Assert.Equal(new FileInfo(car).Length, built.CarSize);
        Assert.Equal(size, built.FileSize);
        Assert.Equal(size <= chunk ? Cid.Raw : Cid.DagPb, built.Root.Codec);
        var leaves = (size + chunk - 1) / chunk;
        var inner = leaves == 1 ? 0 : leaves <= UnixFsCar.MaxLinks ? 1 : ((leaves + UnixFsCar.MaxLinks - 1) / UnixFsCar.MaxLinks) + 1;
        Assert.Equal(leaves + inner, built.Blocks);

        var js = JsonDocument.Parse(UnixFsReference.Check(car, built.Root.ToString(), Path.Combine(dir.Path, "js.bin"))).RootElement;
        Assert.Equal(built.Root.ToString(), js.GetProperty("roots")[0].GetString());
        Assert.Equal(built.Blocks, js.GetProperty("blocks").GetArrayLength());
        Assert.All(js.GetProperty("blocks").EnumerateArray(), b => Assert.True(b.GetProperty("hashOk").GetBoolean() && b.GetProperty("canonical").GetBoolean(), b.ToString()));
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(dir.Path, "js.bin")));

        await using var read = File.OpenRead(car);
        using var extracted = new MemoryStream();
        Assert.Equal(size, await CarCheck.ExtractAsync(read, built.Root, extracted));
        Assert.Equal(data, extracted.ToArray());
    }

    [Fact]
    public async Task Equal_chunks_are_one_block_in_the_CAR_and_the_file_is_still_whole()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "zeros.bin");
        await File.WriteAllBytesAsync(file, new byte[10 * 1024]);
        var car = await BuildAsync(file, dir.Path, 1024);
        Assert.Equal(2, car.Result.Blocks); // the root and one zero leaf
        var js = JsonDocument.Parse(UnixFsReference.Check(car.Path, car.Result.Root.ToString(), Path.Combine(dir.Path, "js.bin"))).RootElement;
        Assert.Equal(10 * 1024, js.GetProperty("fileSize").GetInt32());
        await using var read = File.OpenRead(car.Path);
        Assert.Equal(10 * 1024, await CarCheck.ExtractAsync(read, car.Result.Root, Stream.Null));
    }

    [Fact]
    public async Task An_empty_or_missing_file_is_refused()
    {
        using var dir = new TempDirectory();
        var empty = Path.Combine(dir.Path, "empty");
        await File.WriteAllBytesAsync(empty, []);
        var e = await Assert.ThrowsAsync<IOException>(() => UnixFsCar.WriteAsync(empty, Stream.Null));
        Assert.Contains("is empty", e.Message);
        await Assert.ThrowsAsync<FileNotFoundException>(() => UnixFsCar.WriteAsync(Path.Combine(dir.Path, "none"), Stream.Null));
    }

    [Fact]
    public async Task The_CAR_check_refuses_forged_truncated_foreign_and_malformed_CARs()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "data.bin");
        await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes(5000));
        var (path, built) = await BuildAsync(file, dir.Path, 1024);
        var good = await File.ReadAllBytesAsync(path);
        var root = built.Root;
        Assert.Equal(6, (await CarCheck.VerifyAsync(new MemoryStream(good), root)).Blocks);

        // A flipped byte in the last leaf: its data no longer hashes to its CID.
        var forged = (byte[])good.Clone();
        forged[^1] ^= 1;
        await Refused(forged, root, "does not hash to its CID");

        // Cut inside a block, and cut inside the header.
        await Refused(good[..(good.Length - 100)], root, null);
        await Refused(good[..10], root, null);

        // Another root than the one asked for.
        var other = new Cid(1, Cid.Raw, new Multihash(Multihash.Sha2_256, SHA256.HashData("other"u8)));
        await Refused(good, other, "not " + other);

        // A block nobody links to, appended.
        var extra = "stray"u8.ToArray();
        var strayCid = new Cid(1, Cid.Raw, new Multihash(Multihash.Sha2_256, SHA256.HashData(extra)));
        await Refused([.. good, .. Section(strayCid, extra)], root, "is not linked from any earlier block");

        // The root's block not first: a CAR claiming the root but starting with a leaf.
        var header = HeaderLength(good);
        var leafOnly = new MemoryStream();
        await new CarWriter(leafOnly).WriteHeaderAsync([root]);
        await leafOnly.WriteAsync(Section(strayCid, extra));
        await Refused(leafOnly.ToArray(), root, "not the root");

        // A header only: no blocks at all.
        await Refused(good[..header], root, "has no blocks");

        // An unknown multihash cannot be verified, and is refused rather than trusted.
        var blakeless = new Cid(1, Cid.Raw, new Multihash(0x1013, new byte[32]));
        var unknown = new MemoryStream();
        await new CarWriter(unknown).WriteHeaderAsync([blakeless]);
        await unknown.WriteAsync(Section(blakeless, extra));
        await Refused(unknown.ToArray(), blakeless, "cannot verify");

        // Garbage, a zero-length section (a piece's zero padding read as a CAR) and an oversized section length.
        await Refused(RandomNumberGenerator.GetBytes(64), root, null);
        await Refused([.. good, 0, 0, 0, 0], root, null);
        await Refused([.. good[..header], .. Varint.Encode(1UL << 40)], root, null);
    }

    [Fact]
    public async Task Extracting_refuses_a_DAG_that_is_not_a_UnixFS_file()
    {
        // A dag-pb node whose UnixFS data says directory (1).
        byte[] node = [0x0a, 0x02, 0x08, 0x01];
        var cid = new Cid(1, Cid.DagPb, new Multihash(Multihash.Sha2_256, SHA256.HashData(node)));
        var car = new MemoryStream();
        await new CarWriter(car).WriteHeaderAsync([cid]);
        await car.WriteAsync(Section(cid, node));
        car.Position = 0;
        var e = await Assert.ThrowsAsync<FilecoinFormatException>(() => CarCheck.ExtractAsync(car, cid, Stream.Null));
        Assert.Contains("not a file", e.Message);

        // A dag-pb node with a truncated field.
        byte[] broken = [0x0a, 0x09, 0x08];
        var brokenCid = new Cid(1, Cid.DagPb, new Multihash(Multihash.Sha2_256, SHA256.HashData(broken)));
        var brokenCar = new MemoryStream();
        await new CarWriter(brokenCar).WriteHeaderAsync([brokenCid]);
        await brokenCar.WriteAsync(Section(brokenCid, broken));
        brokenCar.Position = 0;
        await Assert.ThrowsAsync<FilecoinFormatException>(() => CarCheck.ExtractAsync(brokenCar, brokenCid, Stream.Null));
    }

    [Fact]
    public void The_wallet_makes_keys_in_Lotus_format_with_owner_only_modes_and_a_default()
    {
        using var dir = new TempDirectory();
        var wallet = ClientWallet.Open(Path.Combine(dir.Path, "w"));
        Assert.Empty(wallet.List());
        Assert.Null(wallet.Default());
        var first = wallet.New();
        var second = wallet.New();
        Assert.Equal(first, wallet.Default());
        Assert.Equal(new[] { first, second }.OrderBy(a => a.ToString('t'), StringComparer.Ordinal), wallet.List());
        var keyFile = Path.Combine(wallet.KeystorePath, $"wallet-{second.ToString('t')}");
        Assert.Equal(second, Filecoin.Crypto.Secp256k1.AddressOf(WalletKeyFile.Decode(File.ReadAllBytes(keyFile), keyFile)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(wallet.KeystorePath));
        }

        wallet.SetDefault(second);
        Assert.Equal(second, wallet.Default());
        Assert.NotNull(wallet.Key(second));
        var stranger = Filecoin.Crypto.Secp256k1.AddressOf(SHA256.HashData("stranger"u8));
        Assert.Null(wallet.Key(stranger));
        Assert.Throws<InvalidOperationException>(() => wallet.SetDefault(stranger));

        File.WriteAllText(Path.Combine(wallet.Root, "default"), "not an address");
        Assert.Throws<IOException>(() => wallet.Default());
        File.WriteAllText(keyFile, "zz");
        Assert.Throws<IOException>(() => wallet.List());
    }

    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/24002/http", "http://127.0.0.1:24002/")]
    [InlineData("/dns/sp.example.com/tcp/443/https", "https://sp.example.com/")]
    [InlineData("/ip6/::1/tcp/8080/http", "http://[::1]:8080/")]
    [InlineData("/dns4/sp.example.com/tcp/8443/tls/http", "https://sp.example.com:8443/")]
    [InlineData("/ip4/127.0.0.1/tcp/24001", null)]
    [InlineData("/ip4/127.0.0.1/udp/24001/quic-v1", null)]
    public void The_retrieval_URL_comes_from_host_tcp_http_multiaddrs_only(string multiaddr, string? url) =>
        Assert.Equal(url, MarketsClient.HttpUrl(Multiaddr.Parse(multiaddr))?.ToString());

    [Fact]
    public void Malformed_answers_to_the_clients_requests_are_wire_errors()
    {
        // What the client reads: DealResponse, DealStatusResponse, QueryResponse, TransportsResponse.
        foreach (var bytes in new byte[][] { [], [0xff], [0xa1, 0x61], RandomNumberGenerator.GetBytes(40), [0x81, 0x01] })
        {
            Assert.ThrowsAny<MarketsWireException>(() => DealResponse.FromCbor(bytes));
            Assert.ThrowsAny<MarketsWireException>(() => DealStatusResponse.FromCbor(bytes));
            Assert.ThrowsAny<MarketsWireException>(() => QueryResponse.FromCbor(bytes));
            Assert.ThrowsAny<MarketsWireException>(() => TransportsResponse.FromCbor(bytes));
        }

        var transports = new TransportsResponse([new TransportProtocol("http", [.. Enumerable.Repeat(Multiaddr.Parse("/ip4/1.2.3.4/tcp/80/http").ToBytes(), 65)])]);
        Assert.Equal(MarketsWireError.Oversized, Assert.Throws<MarketsWireException>(() => TransportsResponse.FromCbor(transports.ToCbor())).Error);
    }

    private static async Task<(string Path, UnixFsCarResult Result)> BuildAsync(string file, string dir, int chunk)
    {
        var car = Path.Combine(dir, Path.GetFileName(file) + ".car");
        await using var stream = File.Create(car);
        return (car, await UnixFsCar.WriteAsync(file, stream, chunk));
    }

    private static async Task Refused(byte[] car, Cid root, string? reason)
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => CarCheck.VerifyAsync(new MemoryStream(car), root));
        Assert.True(e is FilecoinFormatException or EndOfStreamException, $"{e.GetType().Name}: {e.Message}");
        if (reason is not null)
        {
            Assert.Contains(reason, e.Message);
        }
    }

    private static byte[] Section(Cid cid, byte[] data) => [.. Varint.Encode((ulong)(cid.ToBytes().Length + data.Length)), .. cid.ToBytes(), .. data];

    private static int HeaderLength(byte[] car) => (int)Varint.Read(car, out var n) + n;
}

/// <summary>Runs tests/interop/markets/unixfs-car.mjs (@ipld/car, @ipld/dag-pb, ipfs-unixfs-exporter) on a CAR.</summary>
internal static class UnixFsReference
{
    public static string Check(string car, string root, string output)
    {
        var dir = Path.Combine(RepoRoot.Path, "tests", "interop", "markets");
        if (!Directory.Exists(Path.Combine(dir, "node_modules")))
        {
            throw new InvalidOperationException($"{dir}/node_modules is missing: run ./test.sh (or tests/setup/30-npm.sh) to install the reference implementations");
        }

        var node = Environment.GetEnvironmentVariable("GRANARY_NODE22") is { Length: > 0 } n && File.Exists(n) ? n : "node";
        var info = new ProcessStartInfo(node) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "unixfs-car.mjs", car, root, output })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("node is not installed");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException("node unixfs-car.mjs did not finish");
        }

        return process.ExitCode == 0 ? stdout.Result : throw new InvalidOperationException($"node unixfs-car.mjs failed: {stderr.Result}");
    }
}
