using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Rpc;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Car;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;
using Granary.Gateway.Wire;
using Granary.Libp2p.Host;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;
using Granary.Silo.Tests.Support;
using Xunit.Abstractions;

namespace Granary.Silo.Tests;

/// <summary>
/// The deployment's network, built for real on this machine (root, as CI): three network namespaces joined by veth
/// links — "internet" (a client), "public" (the markets gateway silo, the only route between the internet and the VPC)
/// and "private" (the sealing + proving silo, the chain node and PostgreSQL) — with nftables rules as
/// deploy/terraform's security groups say. The silos run the shipped deploy/config/markets.toml and proving.toml (with
/// sealing switched on), the database password comes from <c>PGPASSWORD</c> as the systemd units' environment file
/// gives it. From the internet a client reaches the gateway's libp2p port — a libp2p dial, <c>/fil/storage/ask/1.1.0</c>
/// answered by the ask grain on the private silo, and an offline storage deal the gateway accepts — and its HTTP
/// retrieval port, which serves the deal's piece once the operator imported its data on the gateway; the client cannot
/// reach any silo port, the API, the dashboard, the chain node or PostgreSQL. The two silos form one Orleans cluster
/// across the boundary and the gateway's API drives sector grains on the private silo.
/// </summary>
public sealed class PrivateNetworkTests(ITestOutputHelper output)
{
    private const string GatewayPublic = "198.51.100.1";
    private const string InternetClient = "198.51.100.2";
    private const string GatewayPrivate = "10.0.1.10";
    private const string PrivateSilo = "10.0.3.10";
    private const string Database = "10.0.4.10";
    private const string Vpc = "10.0.0.0/16";
    private const int ChainPort = 1234;
    private const string DatabasePassword = "private-network-test-password";

    [Fact]
    public async Task The_internet_reaches_only_the_gateway_ports_and_the_gateway_silo_clusters_with_the_private_silo()
    {
        var clock = Stopwatch.StartNew();
        void Phase(string what) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s  {what}");
        using var dir = new TempDirectory();
        await using var net = NetworkNamespaces.Create();
        net.Run(net.Internet, $"ip addr add {InternetClient}/24 dev {net.InternetLink}", $"ip link set {net.InternetLink} up",
            $"ip route add default via {GatewayPublic}");
        net.Run(net.Public, $"ip addr add {GatewayPublic}/24 dev {net.PublicInternetLink}", $"ip addr add {GatewayPrivate}/16 dev {net.PublicVpcLink}",
            $"ip link set {net.PublicInternetLink} up", $"ip link set {net.PublicVpcLink} up", "sysctl -q -w net.ipv4.ip_forward=1");
        net.Run(net.Private, $"ip addr add {PrivateSilo}/16 dev {net.PrivateLink}", $"ip addr add {Database}/16 dev {net.PrivateLink}",
            $"ip link set {net.PrivateLink} up", $"ip route add default via {GatewayPrivate}");

        Phase("namespaces and links");
        // PostgreSQL in the private namespace, password authentication for the VPC.
        await using var postgres = await NamespacedPostgres.StartAsync(net.Private, Path.Combine(dir.Path, "pg"), Database, DatabasePassword);

        Phase("PostgreSQL started");
        // Before any rule: the route from the internet into the VPC exists, so what blocks it below is the firewall.
        Assert.Equal(Reach.Connected, await Probe.TcpAsync(net.Internet, Database, 5432));

        // The security groups: the gateway takes 24001 and 24002 from anyone, its silo port, API and dashboard from
        // the VPC only, and forwards nothing from the internet into the VPC (like AWS's internet gateway, which only
        // delivers to the elastic IP); the private silo takes its ports from the
        // VPC only, the database only from the silos' addresses.
        net.Firewall(net.Public, $$"""
            table inet granary {
              chain input {
                type filter hook input priority 0; policy drop;
                iif lo accept
                ct state established,related accept
                iifname "{{net.PublicInternetLink}}" ip daddr != {{GatewayPublic}} drop
                tcp dport { 24001, 24002 } accept
                iifname "{{net.PublicVpcLink}}" ip saddr {{Vpc}} tcp dport { 11111, 2345, 8080 } accept
              }
              chain forward {
                type filter hook forward priority 0; policy drop;
                ct state established,related accept
                iifname "{{net.PublicVpcLink}}" oifname "{{net.PublicInternetLink}}" accept
              }
            }
            """);
        net.Firewall(net.Private, $$"""
            table inet granary {
              chain input {
                type filter hook input priority 0; policy drop;
                iif lo accept
                ct state established,related accept
                ip saddr {{Vpc}} ip daddr {{PrivateSilo}} tcp dport { 11111, 2345, 8080, {{ChainPort}} } accept
                ip saddr { {{GatewayPrivate}}, {{PrivateSilo}} } ip daddr {{Database}} tcp dport 5432 accept
              }
            }
            """);
        Assert.Equal(Reach.Dropped, await Probe.TcpAsync(net.Internet, Database, 5432));

        Phase("firewall loaded");
        // The chain node (a devnet process) on the private silo's machine, and the miner made on it.
        var devnetRepo = Path.Combine(dir.Path, "devnet");
        await using var devnet = GranaryProcess.Start(
            ["devnet", "run", "--repo", devnetRepo, "--listen", $"/ip4/{PrivateSilo}/tcp/{ChainPort}/http", "--block-delay", "1"], networkNamespace: net.Private);
        var apiInfo = await devnet.WaitForLineAsync("FULLNODE_API_INFO=");
        var faucet = await devnet.WaitForLineAsync("DEVNET_FAUCET=");

        Phase("devnet up");
        var environment = new Dictionary<string, string?> { ["PGPASSWORD"] = DatabasePassword };
        var privateRepo = Path.Combine(dir.Path, "private");
        var gatewayRepo = Path.Combine(dir.Path, "gateway");
        WriteConfig(privateRepo, DeployConfig("proving.toml", apiInfo).Replace("EnableSealing = false", "EnableSealing = true", StringComparison.Ordinal));
        WriteConfig(gatewayRepo, DeployConfig("markets.toml", apiInfo));
        await RunInAsync(net.Private, ["init", "--repo", privateRepo, "--sector-size", "2KiB", "--from", faucet]);
        Phase("miner created (granary init)");
        // A split cluster copies the miner to the gateway (docs/deploy.md).
        File.Copy(Path.Combine(privateRepo, "miner.json"), Path.Combine(gatewayRepo, "miner.json"));
        var miner = JsonDocument.Parse(File.ReadAllText(Path.Combine(privateRepo, "miner.json"))).RootElement.GetProperty("Miner").GetString()!;

        // The schema once, then both silos at once: each joins whoever is in the database.
        await RunInAsync(net.Private, ["db", "migrate", "--repo", privateRepo], environment);
        await using var privateSilo = GranaryProcess.Start(["run", "--repo", privateRepo], environment, networkNamespace: net.Private);
        await using var gatewaySilo = GranaryProcess.Start(["run", "--repo", gatewayRepo], environment, networkNamespace: net.Public);
        await WaitHealthyAsync(net.Private, privateSilo, PrivateSilo, members: 2);
        var health = await WaitHealthyAsync(net.Public, gatewaySilo, GatewayPrivate, members: 2);

        Phase("both silos healthy, 2 members");
        // One cluster across the boundary, on the private PostgreSQL.
        Assert.Equal("postgresql", health.GetProperty("database").GetString());
        var members = health.GetProperty("members").EnumerateArray()
            .Select(m => string.Join(',', m.GetProperty("subsystems").EnumerateArray().Select(s => s.GetString())))
            .Order().ToArray();
        Assert.Equal(["Markets", "Mining,Sealing,SectorStorage"], members);

        // From the internet: libp2p to the gateway's public address, and the ask it answers from the ask grain, which
        // only runs on a mining silo (the private one).
        var peer = (await RunInAsync(net.Public, ["net", "id", "--repo", gatewayRepo])).Trim();
        await using (var relay = NamespaceRelay.Start(net.Internet, new IPEndPoint(IPAddress.Parse(GatewayPublic), 24001)))
        await using (var client = new Libp2pHost(Identity.Generate()))
        {
            var gateway = Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{relay.Port}/p2p/{peer}");
            await using var stream = await client.NewStreamAsync(gateway, MarketsProtocolIds.Ask).WaitAsync(TimeSpan.FromSeconds(30));
            await stream.WriteAsync(new AskRequest(Address.Parse(miner)).ToCbor());
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var response = AskResponse.FromCbor(await CborItemReader.ReadAsync(stream, AskResponse.MaxMessageBytes, deadline.Token));
            var ask = response.Ask?.Ask;
            Assert.True(ask is not null, $"no ask from the gateway:\n{gatewaySilo.Output}\n{privateSilo.Output}");
            Assert.Equal(Address.Parse(miner), Address.Parse(ask.Miner));
            Assert.True(ask.Price > 0);
            // The connection left from the client's internet address: it went through the namespaces and their rules.
            Assert.Contains(InternetClient, relay.Upstreams);
        }

        Phase("libp2p ask answered from the internet");
        // From the internet: a storage deal (offline data), which the gateway checks against the chain and the ask on the
        // private silo and accepts; the operator imports the data on the gateway, and the internet retrieves the piece
        // over HTTP. The client is funded through the chain node, reached from inside.
        var car = Path.Combine(dir.Path, "deal.car");
        var (pieceCid, root) = await WriteCarAsync(car);
        await using (var chainRelay = NamespaceRelay.Start(net.Private, new IPEndPoint(IPAddress.Parse(PrivateSilo), ChainPort)))
        await using (var relay = NamespaceRelay.Start(net.Internet, new IPEndPoint(IPAddress.Parse(GatewayPublic), 24001)))
        await using (var client = new Libp2pHost(Identity.Generate()))
        {
            using var chain = ChainRpcClient.FromApiInfo($"{apiInfo[..apiInfo.IndexOf(':', StringComparison.Ordinal)]}:/ip4/127.0.0.1/tcp/{chainRelay.Port}/http");
            var clientKey = Blake2b.Hash256("private network test client"u8);
            await FundAsync(chain, Address.Parse(faucet), Secp256k1.AddressOf(clientKey));
            var deal = await OfflineDealAsync(chain, clientKey, Address.Parse(miner), pieceCid, root);
            await using var stream = await client.NewStreamAsync(Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{relay.Port}/p2p/{peer}"),
                [MarketsProtocolIds.DealV121, MarketsProtocolIds.DealV120]).WaitAsync(TimeSpan.FromSeconds(30));
            await stream.WriteAsync(deal.ToCbor());
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var answer = DealResponse.FromCbor(await CborItemReader.ReadAsync(stream, DealResponse.MaxMessageBytes, deadline.Token));
            Assert.True(answer.Accepted, $"deal refused: {answer.Message}");
            await RunInAsync(net.Public, ["storage-deals", "import-data", deal.DealUuid.ToString(), car, "--repo", gatewayRepo]);
        }

        Phase("deal accepted and its data imported");
        using (var http = Probe.HttpClient(net.Internet))
        {
            using var piece = await http.GetAsync($"http://{GatewayPublic}:24002/piece/{pieceCid}");
            Assert.True(piece.StatusCode == HttpStatusCode.OK, $"GET /piece: {(int)piece.StatusCode} {await piece.Content.ReadAsStringAsync()}");
            var bytes = await piece.Content.ReadAsByteArrayAsync();
            var payload = await File.ReadAllBytesAsync(car);
            Assert.Equal(2048 * 127 / 128, bytes.Length);
            Assert.Equal(payload, bytes[..payload.Length]);
            Assert.All(bytes[payload.Length..], b => Assert.Equal(0, b));
        }

        Phase("piece retrieved from the internet");
        // From the internet: HTTP retrieval answers (404 for a path that is not a piece or a CID, from Granary).
        using (var http = Probe.HttpClient(net.Internet))
        {
            using var answer = await http.GetAsync($"http://{GatewayPublic}:24002/");
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
            Assert.Contains("/piece/{pieceCid}", await answer.Content.ReadAsStringAsync());
        }

        Phase("HTTP retrieval answered");
        // From the internet nothing else answers: not the gateway's silo port, API or dashboard (on either of its
        // addresses), not the private silo's, not the chain node, not PostgreSQL, not even a closed port (no RST leaks).
        var forbidden = new (string Host, int Port)[]
        {
            (GatewayPublic, 11111), (GatewayPublic, 2345), (GatewayPublic, 8080),
            (GatewayPrivate, 11111), (GatewayPrivate, 2345), (GatewayPrivate, 8080), (GatewayPrivate, 24001),
            (PrivateSilo, 11111), (PrivateSilo, 2345), (PrivateSilo, 8080), (PrivateSilo, ChainPort), (PrivateSilo, 24001),
            (PrivateSilo, 40000), (Database, 5432),
        };
        var reached = await Task.WhenAll(forbidden.Select(async f => (f.Host, f.Port, Reach: await Probe.TcpAsync(net.Internet, f.Host, f.Port))));
        Assert.All(reached, r => Assert.True(r.Reach == Reach.Dropped, $"{r.Host}:{r.Port} from the internet: {r.Reach}"));

        Phase("14 forbidden ports dropped");
        // Inside the VPC the same ports answer: the gateway reaches the private silo's silo port, API and PostgreSQL.
        foreach (var (host, port) in new[] { (PrivateSilo, 11111), (PrivateSilo, 2345), (Database, 5432) })
        {
            Assert.Equal(Reach.Connected, await Probe.TcpAsync(net.Public, host, port));
        }

        Phase("VPC-side controls connected");
        // The gateway's API drives sector grains, which only activate on a sealing silo: across the boundary.
        string pledged;
        try
        {
            pledged = await RunInAsync(net.Public, ["sectors", "pledge", "--repo", gatewayRepo]);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // What each silo logged says which side failed and why.
            throw new InvalidOperationException($"{e.Message}\n--- gateway silo:\n{Tail(gatewaySilo.Output)}\n--- private silo:\n{Tail(privateSilo.Output)}\n--- PostgreSQL:\n{postgres.LogTail()}", e);
        }

        Assert.Equal("Created CC sector: 0", pledged.Trim());
        var status = await RunInAsync(net.Public, ["sectors", "status", "0", "--repo", gatewayRepo]);
        Assert.Contains("Status:", status);

        Phase("sector pledged and read through the gateway");
        await gatewaySilo.TerminateAsync();
        await privateSilo.TerminateAsync();
        Assert.True(gatewaySilo.ExitCode == 0, $"gateway silo exited with {gatewaySilo.ExitCode}:\n{gatewaySilo.Output}");
        Assert.True(privateSilo.ExitCode == 0, $"private silo exited with {privateSilo.ExitCode}:\n{privateSilo.Output}");
        Phase("both silos stopped");
    }

    private static string Tail(string output) => output[^Math.Min(8000, output.Length)..];

    // 1 FIL and 1 FIL of market escrow for the client, from the devnet's faucet.
    private static async Task FundAsync(ChainRpcClient chain, Address faucet, Address client)
    {
        foreach (var message in new[]
        {
            new Message(0, client, faucet, 0, TokenAmount.FromFil(1), 0, TokenAmount.Zero, TokenAmount.Zero, ActorMethods.Send, []),
            new Message(0, Address.FromId(Granary.Chain.Devnet.SystemActors.Market), faucet, 0, TokenAmount.FromFil(1), 0, TokenAmount.Zero,
                TokenAmount.Zero, ActorMethods.Market.AddBalance, MarketAddBalanceParams.ToCbor(client)),
        })
        {
            var signed = await chain.MpoolPushMessage(message, null);
            var lookup = await chain.StateWaitMsg(signed.Cid(), 0).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, lookup.Receipt.ExitCode);
        }
    }

    // An offline 2 KiB deal starting well past the gateway's sealing buffer, priced above the default ask.
    private static async Task<DealParams> OfflineDealAsync(ChainRpcClient chain, byte[] clientKey, Address miner, Cid piece, Cid root)
    {
        var head = (await chain.ChainHead()).Height;
        var uuid = Guid.NewGuid();
        var start = head + 2000;
        var proposal = new DealProposal(piece, 2048, false, Secp256k1.AddressOf(clientKey), miner, DealLabel.FromString($"deal {uuid}"), start,
            start + Grains.Deals.DealmakingOptions.FilecoinMinDealDuration, new TokenAmount(1000), TokenAmount.Zero, TokenAmount.Zero);
        return new DealParams(uuid, true, ClientDealProposal.SignSecp256k1(proposal, clientKey), root, DealTransfer.None, false, false);
    }

    // A CAR of a few raw blocks (under 2 KiB) and its 2 KiB piece CID.
    private static async Task<(Cid Piece, Cid Root)> WriteCarAsync(string path)
    {
        var blocks = Enumerable.Range(0, 4).Select(i => System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)).Concat(new byte[200]).ToArray()).ToArray();
        var cids = blocks.Select(b => new Cid(1, Cid.Raw, new Multihash(Multihash.Sha2_256, System.Security.Cryptography.SHA256.HashData(b)))).ToArray();
        await using (var output = File.Create(path))
        {
            var writer = new CarWriter(output);
            await writer.WriteHeaderAsync([cids[0]]);
            for (var i = 0; i < blocks.Length; i++)
            {
                await writer.WriteBlockAsync(cids[i], blocks[i]);
            }
        }

        var commP = CommP.Compute(await File.ReadAllBytesAsync(path));
        return (PieceCid.V1(CommP.ZeroPad(commP.Commitment, commP.PaddedSize, 2048)), cids[0]);
    }

    /// <summary>A shipped deploy/config file with the test's chain node and no TLS to the test's PostgreSQL.</summary>
    private static string DeployConfig(string name, string apiInfo) =>
        File.ReadAllText(Path.Combine(RepoRoot.Path, "deploy", "config", name))
            .Replace("REPLACE-WITH-TOKEN:/ip4/10.0.2.5/tcp/1234/http", apiInfo, StringComparison.Ordinal)
            .Replace(";SSL Mode=Require", "", StringComparison.Ordinal)
            .Replace("203.0.113.10", GatewayPublic, StringComparison.Ordinal);

    private static void WriteConfig(string repo, string text)
    {
        Directory.CreateDirectory(repo);
        File.WriteAllText(Path.Combine(repo, "config.toml"), text);
    }

    /// <summary>Runs a short <c>granary</c> command in <paramref name="ns"/>; its output, or a failed test on a non-zero exit.</summary>
    private static async Task<string> RunInAsync(string ns, IReadOnlyList<string> args, IDictionary<string, string?>? environment = null)
    {
        var (code, output) = await GranaryProcess.RunAsync(args, environment, ns, TimeSpan.FromSeconds(120));
        Assert.True(code == 0, $"granary {string.Join(' ', args)} (in {ns}) exited with {code}:\n{output}");
        return output;
    }

    private static async Task<JsonElement> WaitHealthyAsync(string ns, GranaryProcess silo, string host, int members)
    {
        using var http = Probe.HttpClient(ns);
        http.Timeout = TimeSpan.FromSeconds(5);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (silo.HasExited)
            {
                throw new InvalidOperationException($"granary exited with {silo.ExitCode}:\n{silo.Output}");
            }

            try
            {
                var health = await http.GetFromJsonAsync<JsonElement>($"http://{host}:8080/healthz");
                if (health.GetProperty("members").GetArrayLength() >= members)
                {
                    return health;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException)
            {
                // not up yet
            }

            await Task.Delay(250); // polling interval while the silo starts
        }

        throw new TimeoutException($"granary did not become healthy with {members} members:\n{silo.Output}");
    }
}

/// <summary>What a TCP connect from a namespace met.</summary>
internal enum Reach
{
    /// <summary>The connection was accepted.</summary>
    Connected,

    /// <summary>Refused (RST): nothing listens, and nothing filtered it.</summary>
    Refused,

    /// <summary>No answer at all: a firewall dropped it.</summary>
    Dropped,

    /// <summary>No route, or an ICMP unreachable.</summary>
    Unreachable,
}

/// <summary>Three network namespaces, "internet" ↔ "public" ↔ "private", joined by two veth links; deleted at the end.</summary>
internal sealed class NetworkNamespaces : IAsyncDisposable
{
    private NetworkNamespaces(string id)
    {
        Internet = $"granary-{id}-internet";
        Public = $"granary-{id}-public";
        Private = $"granary-{id}-private";
        InternetLink = $"gi{id}";
        PublicInternetLink = $"gpi{id}";
        PublicVpcLink = $"gpv{id}";
        PrivateLink = $"gv{id}";
    }

    public string Internet { get; }

    public string Public { get; }

    public string Private { get; }

    public string InternetLink { get; }

    public string PublicInternetLink { get; }

    public string PublicVpcLink { get; }

    public string PrivateLink { get; }

    public static NetworkNamespaces Create()
    {
        var net = new NetworkNamespaces(Guid.NewGuid().ToString("N")[..6]);
        try
        {
            foreach (var ns in new[] { net.Internet, net.Public, net.Private })
            {
                Shell.Run($"ip netns add {ns}");
                net.Run(ns, "ip link set lo up");
            }

            Shell.Run($"ip link add {net.InternetLink} netns {net.Internet} type veth peer name {net.PublicInternetLink} netns {net.Public}");
            Shell.Run($"ip link add {net.PublicVpcLink} netns {net.Public} type veth peer name {net.PrivateLink} netns {net.Private}");
            return net;
        }
        catch
        {
            net.Delete();
            throw;
        }
    }

    /// <summary>Runs commands in a namespace, each required to succeed.</summary>
    public void Run(string ns, params string[] commands)
    {
        foreach (var command in commands)
        {
            Shell.Run($"ip netns exec {ns} {command}");
        }
    }

    /// <summary>Loads an nftables ruleset into a namespace.</summary>
    public void Firewall(string ns, string ruleset) => Shell.Run($"ip netns exec {ns} nft -f -", ruleset);

    public ValueTask DisposeAsync()
    {
        Delete();
        return ValueTask.CompletedTask;
    }

    // Deleting a namespace deletes its veth ends (and with them their peers).
    private void Delete()
    {
        foreach (var ns in new[] { Internet, Public, Private })
        {
            Shell.TryRun($"ip netns delete {ns}");
        }
    }
}

/// <summary>Sockets made inside a network namespace (<c>setns</c> on a thread of their own), and what they reach.</summary>
internal static class Probe
{
    private const int CloneNewNet = 0x40000000;
    private const int ReadOnly = 0;

    /// <summary>A TCP socket that lives in <paramref name="ns"/>: whatever it connects to is routed and filtered there.</summary>
    public static Socket Socket(string ns)
    {
        Socket? socket = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            var original = open("/proc/thread-self/ns/net", ReadOnly);
            var target = open($"/run/netns/{ns}", ReadOnly);
            try
            {
                if (original < 0 || target < 0 || setns(target, CloneNewNet) != 0)
                {
                    throw new Win32Exception(Marshal.GetLastPInvokeError(), $"setns into {ns}");
                }

                try
                {
                    socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                }
                finally
                {
                    if (setns(original, CloneNewNet) != 0)
                    {
                        Environment.FailFast("a thread could not return to its network namespace");
                    }
                }
            }
            catch (Exception e)
            {
                error = e;
            }
            finally
            {
                _ = close(original);
                _ = close(target);
            }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException($"no socket in {ns}", error);
    }

    /// <summary>Connects from <paramref name="ns"/> and says what happened (a drop is 2 s without an answer).</summary>
    public static async Task<Reach> TcpAsync(string ns, string host, int port)
    {
        using var socket = Socket(ns);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.ConnectAsync(IPAddress.Parse(host), port, timeout.Token);
            return Reach.Connected;
        }
        catch (OperationCanceledException)
        {
            return Reach.Dropped;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return Reach.Refused;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostUnreachable or SocketError.NetworkUnreachable)
        {
            return Reach.Unreachable;
        }
    }

    /// <summary>An HTTP client whose connections are made in <paramref name="ns"/>.</summary>
    public static HttpClient HttpClient(string ns) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = Socket(ns);
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi)]
    private static extern int open([MarshalAs(UnmanagedType.LPStr)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}

/// <summary>
/// A client's network card in a namespace: a loopback listener in the test's own namespace whose every connection is
/// carried on by a socket made in <c>ns</c>, so a client in this process (the C# libp2p host) dials from there.
/// </summary>
internal sealed class NamespaceRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pipes = [];
    private readonly Task _accepting;

    private NamespaceRelay(string ns, IPEndPoint target)
    {
        _listener.Start();
        _accepting = AcceptAsync(ns, target);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The local addresses (in the namespace) of the upstream connections made so far.</summary>
    public List<string> Upstreams { get; } = [];

    public static NamespaceRelay Start(string ns, IPEndPoint target) => new(ns, target);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }

        await Task.WhenAll(_pipes).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync(string ns, IPEndPoint target)
    {
        while (!_stop.IsCancellationRequested)
        {
            var inbound = await _listener.AcceptSocketAsync(_stop.Token);
            var upstream = Probe.Socket(ns);
            await upstream.ConnectAsync(target, _stop.Token);
            lock (Upstreams)
            {
                Upstreams.Add(((IPEndPoint)upstream.LocalEndPoint!).Address.ToString());
            }

            lock (_pipes)
            {
                _pipes.Add(PipeAsync(inbound, upstream));
            }
        }
    }

    private async Task PipeAsync(Socket a, Socket b)
    {
        using (a)
        using (b)
        {
            await using var sa = new NetworkStream(a);
            await using var sb = new NetworkStream(b);
            var one = CopyAsync(sa, b, _stop.Token);
            var two = CopyAsync(sb, a, _stop.Token);
            await Task.WhenAny(Task.WhenAll(one, two), Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
        }
    }

    // Copies until the source ends, then half-closes the destination so the other side sees the FIN.
    private static async Task CopyAsync(Stream from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // either side went away
        }
    }
}

/// <summary>A throw-away PostgreSQL server (Debian's packages) inside a namespace, with a password-protected role <c>granary</c>.</summary>
internal sealed class NamespacedPostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _data;

    private NamespacedPostgres(string bin, string data)
    {
        _bin = bin;
        _data = data;
    }

    /// <summary>The end of the server's log (errors it reported to clients are there too).</summary>
    public string LogTail()
    {
        var log = Path.Combine(_data, "server.log");
        var text = File.Exists(log) ? File.ReadAllText(log) : "(no server.log)";
        return text[^Math.Min(4000, text.Length)..];
    }

    public static async Task<NamespacedPostgres> StartAsync(string ns, string data, string address, string password)
    {
        // tests/setup/10-postgres.sh installs the packages; the shared test server's start runs it if needed.
        await PostgresServer.CreateDatabaseAsync();
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderBy(d => d, StringComparer.Ordinal).Last();
        Directory.CreateDirectory(data);
        var passwordFile = Path.Combine(data, "..", "pgpass-init");
        File.WriteAllText(passwordFile, password);
        Shell.Run($"chmod 755 {Path.GetDirectoryName(data)}");
        Shell.Run($"chown postgres:postgres {data} {passwordFile}");
        var server = new NamespacedPostgres(bin, data);
        Shell.Run($"runuser -u postgres -- {bin}/initdb -D {data} -U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile={passwordFile} --no-sync");
        File.AppendAllText(Path.Combine(data, "pg_hba.conf"), "host all all 10.0.0.0/16 scram-sha-256\n");
        Shell.Run($"ip netns exec {ns} runuser -u postgres -- {bin}/pg_ctl -D {data} -l {data}/server.log -w -t 60 " +
            $"-o \"-c listen_addresses={address} -p 5432 -c unix_socket_directories={data} -c fsync=off\" start");
        Shell.Run($"ip netns exec {ns} runuser -u postgres -- {bin}/psql -q -h {data} -p 5432 -U postgres -d postgres " +
            $"-c \"CREATE ROLE granary LOGIN PASSWORD '{password}'\" -c \"CREATE DATABASE granary OWNER granary\"");
        return server;
    }

    public ValueTask DisposeAsync()
    {
        Shell.TryRun($"runuser -u postgres -- {_bin}/pg_ctl -D {_data} -m immediate -w stop");
        return ValueTask.CompletedTask;
    }
}

/// <summary>Runs setup commands (<c>ip</c>, <c>nft</c>, PostgreSQL's tools) through <c>sh -c</c>.</summary>
internal static class Shell
{
    /// <summary>Runs a command, optionally feeding it <paramref name="input"/>; throws with its output if it fails.</summary>
    public static void Run(string command, string? input = null)
    {
        var (code, output) = Execute(command, input);
        if (code != 0)
        {
            throw new InvalidOperationException($"`{command}` exited with {code}:\n{output}");
        }
    }

    /// <summary>Runs a cleanup command, ignoring its failure.</summary>
    public static void TryRun(string command) => _ = Execute(command, null);

    private static (int Code, string Output) Execute(string command, string? input)
    {
        var info = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        using var process = Process.Start(info)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out\n{stdout.Result}{stderr.Result}");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
