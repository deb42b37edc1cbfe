using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Granary.Silo.Client;
using Granary.Silo.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Tests;

/// <summary>
/// <c>granary client deal|retrieve|query|wallet</c> against the embedded monolith as real processes: <c>granary init
/// --sector-size 8MiB</c>, <c>granary run</c> (1 s blocks, the SSRF guard opened for the client's loopback server, short
/// sealing buffers), the markets node's address set on chain, a client wallet funded from the devnet's faucet through
/// the silo's <c>/rpc/v1</c>. A random 1 MiB file is dealt (CAR, CommP, escrow, HTTP transfer, mk/1.2.1, status), reaches
/// Proving, and is retrieved over <c>/piece</c> and <c>/ipfs</c> with the same bytes as the client's CAR, checked by
/// <c>@ipld/car</c>, <c>@ipld/dag-pb</c> and <c>ipfs-unixfs-exporter</c>. A gateway killed mid-transfer resumes the pull
/// with a Range request after its restart and the deal is published.
/// </summary>
public sealed class ClientDealTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private static string SiloChain => """
        DevnetBlockDelaySeconds = 1
        [Sealing]
        PreCommitBatchWait = "1s"
        CommitBatchWait = "1s"
        RetryBackoff = "1s"
        [Dealmaking]
        AllowPrivateTransferUrls = true
        StartEpochSealingBuffer = 20
        ExpectedSealDuration = "0s"
        PublishMsgPeriod = "1s"
        """;

    [Fact]
    public async Task A_client_deal_of_a_1MiB_file_is_transferred_published_sealed_to_Proving_and_retrieved_with_identical_bytes()
    {
        using var dir = new TempDirectory();
        await using var miner = await MinerAsync(dir.Path);
        var file = Path.Combine(dir.Path, "data.bin");
        await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes(1 << 20));

        // No wallet: the deal says how to make one. The silo's /rpc/v1 (the embedded devnet's FullNode API) wants a token.
        var first = await Task.WhenAll(
            ClientAsync(miner, ["deal", "--miner", miner.Address, "--price", "50000000", file], wallet: Path.Combine(dir.Path, "empty-wallet")),
            ClientAsync(miner, ["wallet", "new"]),
            ReadTokenAsync(miner));
        Assert.Equal(1, first[0].Code);
        Assert.Contains("granary client wallet new", first[0].Output);
        var address = first[1].Output.Trim();
        Assert.Matches("^t1[a-z2-7]{39}$", address);
        var readToken = first[2].Output.Trim();
        using (var http = new HttpClient())
        {
            var noToken = await http.PostAsync($"http://127.0.0.1:{miner.Config.ApiPort}/rpc/v1",
                new StringContent("""{"jsonrpc":"2.0","method":"Filecoin.ChainHead","params":[],"id":1}"""));
            Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        }

        // An unfunded wallet cannot pay escrow; a node named by FULLNODE_API_INFO is used instead of the silo's files, and the
        // faucet needs a sign token.
        var second = await Task.WhenAll(
            ClientAsync(miner, ["deal", "--miner", miner.Address, "--price", "50000000", "--start-in", "200", file]),
            ClientAsync(miner, ["wallet", "fund"], environment: new() { ["FULLNODE_API_INFO"] = $"{readToken}:/ip4/127.0.0.1/tcp/{miner.Config.ApiPort}/http" }));
        Assert.Equal(1, second[0].Code);
        Assert.Contains($"wallet {address} holds 0 FIL", second[0].Output);
        Assert.Equal(1, second[1].Code);
        Assert.Contains("missing permission to invoke 'Filecoin.MpoolPushMessage' (need 'sign')", second[1].Output);

        Assert.Contains($"{address} funded with 10 FIL", await ClientOkAsync(miner, ["wallet", "fund"]));

        // A refusal comes back with the gateway's reason: the ask is 50000000 attoFIL/GiB/epoch, a 2 MiB piece pays at least 97656.
        var third = await Task.WhenAll(
            ClientAsync(miner, ["wallet", "list", "--json"]),
            ClientAsync(miner, ["deal", "--miner", miner.Address, "--price", "40000000", "--start-in", "200", file]));
        var listed = JsonDocument.Parse(third[0].Output).RootElement;
        Assert.Equal((address, true, "10000000000000000000"), (listed[0].GetProperty("Address").GetString(), listed[0].GetProperty("Default").GetBoolean(),
            listed[0].GetProperty("Balance").GetString()));
        Assert.Equal(1, third[1].Code);
        Assert.Contains($"granary: deal refused by {miner.Address}: storage price per epoch less than asking price: 78125 < 97656", third[1].Output);

        var car = Path.Combine(dir.Path, "data.car");
        var watch = Stopwatch.StartNew();
        var (code, deal) = await ClientAsync(miner, ["deal", "--miner", miner.Address, "--price", "50000000", "--start-in", "200", "--car-out", car,
            "--wait", "proving", file], Patience);
        Assert.True(code == 0, $"client deal exited with {code}:\n{deal}\n{miner.Silo.Output[^Math.Min(6000, miner.Silo.Output.Length)..]}");
        var accepted = Regex.Match(deal, @"deal (?<uuid>[0-9a-f-]{36}) accepted by t0\d+ \(proposal \S+, piece (?<piece>baga\S+), root (?<root>bafy\S+)\)");
        Assert.True(accepted.Success, deal);
        var (uuid, piece, root) = (accepted.Groups["uuid"].Value, accepted.Groups["piece"].Value, accepted.Groups["root"].Value);
        Assert.Contains("escrow: adding", deal);
        Assert.Contains("MarketAddBalance: landed at epoch", deal);
        Assert.Matches(@"Accepted: received \d", deal);
        Assert.Contains("Transferred: 1.0 MiB, CommP checked", deal);
        Assert.Contains("Published: message bafy2", deal);
        Assert.Matches(@"\w+: deal id \d+, sector (PreCommit1|WaitSeed|CommitWait)", deal);
        Assert.Matches($@"deal {uuid}: \w+: deal id \d+, sector Proving", deal);
        var dealSeconds = watch.Elapsed.TotalSeconds;

        // The CAR as built: its CommP is the deal's piece of 2 MiB. Then the query and the retrievals, at once.
        var carBytes = await File.ReadAllBytesAsync(car);
        var commp = Granary.Filecoin.Pieces.CommP.Compute(carBytes);
        Assert.Equal((piece, 2097152L), (commp.CidV1.ToString(), commp.PaddedSize));

        var pieceOut = Path.Combine(dir.Path, "out.piece");
        var carOut = Path.Combine(dir.Path, "out.car");
        var fileOut = Path.Combine(dir.Path, "out.bin");
        var calls = new[]
        {
            ClientAsync(miner, ["query", "--miner", miner.Address, root, "--json"]),
            ClientAsync(miner, ["retrieve", "--miner", miner.Address, "--piece", piece, pieceOut]),
            ClientAsync(miner, ["retrieve", "--miner", miner.Address, "--root", root, carOut]),
            ClientAsync(miner, ["retrieve", "--miner", miner.Address, "--root", root, "--extract", fileOut]),
            ClientAsync(miner, ["retrieve", "--miner", miner.Address, "--piece", "baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq",
                Path.Combine(dir.Path, "x")]),
            ClientAsync(miner, ["retrieve", "--miner", miner.Address, "--piece", root, Path.Combine(dir.Path, "x")]),
        };
        var answers = await Task.WhenAll(calls);
        Assert.All(answers[..4], a => Assert.True(a.Code == 0, a.Output));
        var query = JsonDocument.Parse(answers[0].Output).RootElement;
        Assert.Equal(("Available", "Available"), (query.GetProperty("Status").GetString(), query.GetProperty("PieceCIDFound").GetString()));
        Assert.Contains("CommP verified", answers[1].Output);
        Assert.Contains("every block verified", answers[2].Output);
        Assert.Contains("1048576 bytes of file", answers[3].Output);

        // Retrieval refusals: an unknown piece, a CID that is not a piece.
        Assert.Equal((1, true), (answers[4].Code, answers[4].Output.Contains("404", StringComparison.Ordinal)));
        Assert.Equal((2, true), (answers[5].Code, answers[5].Output.Contains("is not a v1 piece CID", StringComparison.Ordinal)));

        var pieceBytes = await File.ReadAllBytesAsync(pieceOut);
        Assert.Equal(2097152 / 128 * 127, pieceBytes.Length);
        Assert.True(pieceBytes.AsSpan(0, carBytes.Length).SequenceEqual(carBytes), "/piece does not start with the client's CAR");
        Assert.True(pieceBytes.AsSpan(carBytes.Length).IndexOfAnyExcept((byte)0) < 0, "/piece has non-zero bytes after the CAR");
        Assert.Equal(carBytes, await File.ReadAllBytesAsync(carOut));
        Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(fileOut));

        // An independent reader: @ipld/car checks every block's CID, @ipld/dag-pb the root's canonical form, the exporter the file.
        var jsFile = Path.Combine(dir.Path, "js.bin");
        var js = JsonDocument.Parse(UnixFsReference.Check(carOut, root, jsFile)).RootElement;
        Assert.Equal(root, js.GetProperty("roots")[0].GetString());
        Assert.Equal(5, js.GetProperty("blocks").GetArrayLength());
        Assert.All(js.GetProperty("blocks").EnumerateArray(), b => Assert.True(b.GetProperty("hashOk").GetBoolean() && b.GetProperty("canonical").GetBoolean(), b.ToString()));
        Assert.Equal("file", js.GetProperty("blocks")[0].GetProperty("unixfsType").GetString());
        Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(jsFile));

        Console.WriteLine($"client deal of 1 MiB to Proving: {dealSeconds:0.0} s");
        await miner.Silo.TerminateAsync();
    }

    [Fact]
    public async Task A_gateway_killed_mid_transfer_resumes_the_pull_with_a_range_request_and_the_deal_is_published()
    {
        using var dir = new TempDirectory();
        await using var miner = await MinerAsync(dir.Path);
        await ClientOkAsync(miner, ["wallet", "new"]);
        await ClientOkAsync(miner, ["wallet", "fund"]);

        var file = Path.Combine(dir.Path, "data.bin");
        await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes(1 << 20));
        var car = Path.Combine(dir.Path, "data.car");
        await using (var stream = File.Create(car))
        {
            await UnixFsCar.WriteAsync(file, stream);
        }

        // The test serves the CAR slowly (8 KiB every 50 ms, about 160 KiB/s), recording each request's start.
        await using var server = await SlowCarServer.StartAsync(car);
        var client = GranaryProcess.Start(["client", "deal", "--miner", miner.Address, "--price", "50000000", "--start-in", "300", "--car", "--http-url",
            server.Url, "--wait", "published", "--timeout", "3", car, "--wallet", miner.Wallet, "--repo", miner.Repo], NoNodeVariable);
        await using (client)
        {
            await WaitAsync(() => server.BytesServed >= 200 << 10, "the transfer to pass 200 KiB", client);
            miner.Silo.Kill();
            var servedAtKill = server.BytesServed;
            Assert.True(servedAtKill < new FileInfo(car).Length, $"the whole CAR was served before the kill ({servedAtKill} bytes)");

            await miner.RestartAsync();
            await miner.Silo.WaitHealthyAsync(miner.Config.DashboardPort);
            await WaitAsync(() => client.HasExited, "the client to see the deal published", client, TimeSpan.FromMinutes(3));
            Assert.True(client.ExitCode == 0, $"client deal exited with {client.ExitCode}:\n{client.Output}\n{miner.Silo.Output[^Math.Min(6000, miner.Silo.Output.Length)..]}");
            Assert.Contains("cannot get the deal's status", client.Output);
            Assert.Matches(@"deal [0-9a-f-]{36}: \w+: deal id \d+", client.Output);
        }

        var starts = server.RequestStarts;
        Assert.True(starts.Count >= 2, $"requests: {string.Join(", ", starts)}");
        Assert.Equal(0, starts[0]);
        Assert.Contains(starts.Skip(1), s => s > 0);
        Assert.True(server.BytesServed < 2 * new FileInfo(car).Length, $"{server.BytesServed} bytes served: the pull started over");
        await miner.Silo.TerminateAsync();
    }

    // The client reaches the chain through the silo of --repo and keeps its keys in --wallet, whatever the environment says.
    private static readonly Dictionary<string, string?> NoNodeVariable = new() { ["FULLNODE_API_INFO"] = "", ["GRANARY_CLIENT_PATH"] = "" };

    // An 8 MiB miner on the embedded devnet, running, with a storage path and its libp2p address on chain.
    private static async Task<Miner> MinerAsync(string root)
    {
        var repo = Path.Combine(root, "repo");
        var config = TestConfig.OnFreePorts(chain: SiloChain);
        config.WriteTo(repo);
        await RepoCli.RunAsync(repo, "init", "--sector-size", "8MiB");
        var address = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(repo, "miner.json"))).RootElement.GetProperty("Miner").GetString()!;
        var miner = new Miner(repo, Path.Combine(root, "wallet"), address, config);
        await miner.Silo.WaitHealthyAsync(config.DashboardPort);
        await RepoCli.RunAsync(repo, "storage", "attach", "--init", "--seal", "--store", Path.Combine(root, "sectors"));
        await RepoCli.RunAsync(repo, "actor", "set-addrs", $"/ip4/127.0.0.1/tcp/{config.Libp2pPort}");
        return miner;
    }

    private static async Task<(int Code, string Output)> ClientAsync(Miner miner, string[] args, TimeSpan? timeout = null, string? wallet = null,
        Dictionary<string, string?>? environment = null)
    {
        var env = new Dictionary<string, string?>(NoNodeVariable);
        foreach (var (k, v) in environment ?? [])
        {
            env[k] = v;
        }

        await using var p = GranaryProcess.Start(["client", .. args, "--wallet", wallet ?? miner.Wallet, "--repo", miner.Repo], env);
        await WaitAsync(() => p.HasExited, $"granary client {string.Join(' ', args)}", p, timeout ?? TimeSpan.FromSeconds(90));
        await Task.Delay(100); // lets the output readers drain the last lines
        return (p.ExitCode, p.Output);
    }

    private static async Task<(int Code, string Output)> ReadTokenAsync(Miner miner)
    {
        var (code, output) = await GranaryProcess.RunAsync(["auth", "create-token", "--perm", "read", "--repo", miner.Repo]);
        return (code, output);
    }

    private static async Task<string> ClientOkAsync(Miner miner, string[] args)
    {
        var (code, output) = await ClientAsync(miner, args);
        Assert.True(code == 0, $"granary client {string.Join(' ', args)} exited with {code}:\n{output}");
        return output;
    }

    private static async Task WaitAsync(Func<bool> condition, string what, GranaryProcess process, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited too long for {what}:\n{process.Output}");
            }

            await Task.Delay(100); // polling for the condition
        }
    }

    private sealed class Miner(string repo, string wallet, string address, TestConfig config) : IAsyncDisposable
    {
        public string Repo { get; } = repo;

        public string Wallet { get; } = wallet;

        public string Address { get; } = address;

        public TestConfig Config { get; } = config;

        public GranaryProcess Silo { get; private set; } = GranaryProcess.Start(["run", "--repo", repo]);

        public async Task RestartAsync()
        {
            await Silo.DisposeAsync();
            Silo = GranaryProcess.Start(["run", "--repo", Repo]);
        }

        public ValueTask DisposeAsync() => Silo.DisposeAsync();
    }

    // Serves one file with Range support, slowly, recording where each request started.
    private sealed class SlowCarServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly List<long> _starts = [];
        private long _served;

        private SlowCarServer(WebApplication app) => _app = app;

        public string Url { get; private set; } = "";

        public long BytesServed => Interlocked.Read(ref _served);

        public IReadOnlyList<long> RequestStarts
        {
            get
            {
                lock (_starts)
                {
                    return [.. _starts];
                }
            }
        }

        public static async Task<SlowCarServer> StartAsync(string path)
        {
            var port = FreePorts.Take(1)[0];
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
            var app = builder.Build();
            var server = new SlowCarServer(app) { Url = $"http://127.0.0.1:{port}/data.car" };
            app.Run(async context =>
            {
                var bytes = await File.ReadAllBytesAsync(path);
                long from = 0;
                if (context.Request.Headers.Range.ToString() is { Length: > 6 } range && range.StartsWith("bytes=", StringComparison.Ordinal))
                {
                    from = long.Parse(range[6..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
                    context.Response.StatusCode = StatusCodes.Status206PartialContent;
                    context.Response.Headers.ContentRange = $"bytes {from}-{bytes.Length - 1}/{bytes.Length}";
                }

                lock (server._starts)
                {
                    server._starts.Add(from);
                }

                context.Response.ContentLength = bytes.Length - from;
                for (var at = from; at < bytes.Length; at += 8 << 10)
                {
                    var n = (int)Math.Min(8 << 10, bytes.Length - at);
                    await context.Response.Body.WriteAsync(bytes.AsMemory((int)at, n), context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    Interlocked.Add(ref server._served, n);
                    await Task.Delay(50, context.RequestAborted); // the throttle: a slow client uplink, not a stand-in for work
                }
            });
            await app.StartAsync();
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }
    }
}
