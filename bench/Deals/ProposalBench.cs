using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;
using Granary.Gateway.Protocols;
using Granary.Gateway.Wire;
using Granary.Grains;
using Granary.Grains.Deals;
using Granary.Grains.Miner;
using Granary.Grains.Pieces;
using Granary.Grains.Placement;
using Granary.Libp2p.Host;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;
using Granary.Silo.Database;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Hosting;

namespace Granary.Bench.Deals;

/// <summary>
/// The proposals half of <c>./bench.sh deals</c>: deal proposals accepted and durably recorded per second over ONE
/// libp2p connection (Noise + Yamux), many streams in flight. A markets+mining silo (Orleans, grain state and
/// reminders through ADO.NET on SQLite or PostgreSQL) serves <c>/fil/storage/mk/1.2.1</c> with the same handlers a
/// granary silo uses, against a devnet that holds the miner and the client's market escrow. Proposals are offline
/// deals of a 2 KiB piece, each with its own UUID and label, signed (secp256k1) before the clock starts; the silo
/// runs every acceptance check (signature, provider, ask, price, start epoch, escrow on chain, label), admits the deal
/// through the miner's deal directory and persists the deal grain before it answers. Afterwards the silo is stopped
/// and a fresh one on the same database reads every accepted deal back: the count reported is what was stored.
/// <para>
/// SQLite runs as a granary silo runs it (WAL, SQLite's default synchronous=FULL: an fsync per commit, grain writes
/// one at a time through <see cref="SerialWriteGrainStorage"/>); <c>sqlite-normal</c> is the same with the grain
/// writes at synchronous=NORMAL, for comparison only. PostgreSQL is the server of <c>tests/setup/10-postgres.sh</c>
/// (a database of its own per run).
/// </para>
/// </summary>
internal static class ProposalBench
{
    private static readonly byte[] OwnerKey = Key("owner");
    private static readonly byte[] WorkerKey = Key("worker");
    private static readonly byte[] ClientKey = Key("client");

    public static async Task<IReadOnlyDictionary<string, object>> RunAsync(IEnumerable<string> databases, long count, long concurrency, Action<object> emit)
    {
        var result = new Dictionary<string, object>();
        foreach (var kind in databases)
        {
            if (kind is not ("sqlite" or "sqlite-normal" or "postgres"))
            {
                throw new ArgumentException($"--databases takes sqlite, sqlite-normal and/or postgres, not '{kind}'");
            }

            string? database;
            if (kind is "sqlite" or "sqlite-normal")
            {
                database = "sqlite:state.db";
            }
            else if (Environment.GetEnvironmentVariable("GRANARY_TEST_POSTGRES") is { Length: > 0 } server)
            {
                database = await CreatePostgresDatabaseAsync(server);
            }
            else
            {
                emit(new { stage = "proposals_postgres", skipped = "GRANARY_TEST_POSTGRES is not set (source tests/setup/10-postgres.sh)" });
                continue;
            }

            var rate = await RunOneAsync(kind, database, (int)count, (int)concurrency, emit);
            result[kind == "sqlite-normal" ? "proposals_per_s_sqlite_sync_normal" : $"proposals_per_s_{kind}"] = Math.Round(rate, 1);
        }

        result["proposals_count"] = count;
        result["proposals_streams_in_flight"] = concurrency;
        return result;
    }

    private static async Task<double> RunOneAsync(string kind, string databaseValue, int count, int concurrency, Action<object> emit)
    {
        var directory = Directory.CreateTempSubdirectory($"granary-bench-proposals-{kind}-").FullName;
        var clock = new ManualDevnetClock(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        try
        {
            await using var devnet = DevnetNode.Open(new DevnetOptions
            {
                DatabasePath = Path.Combine(directory, "devnet.db"),
                Clock = clock,
                Genesis = [.. new[] { OwnerKey, WorkerKey, ClientKey }.Select(k => new GenesisAccount(k, TokenAmount.FromFil(1_000)))],
            });
            var owner = Secp256k1.AddressOf(OwnerKey);
            var client = Secp256k1.AddressOf(ClientKey);
            var create = new CreateMinerParams(owner, Secp256k1.AddressOf(WorkerKey), 5, [0x00, 0x04, 1, 1, 1, 1], []).ToCbor();
            var created = await PushAndLandAsync(devnet, clock, OwnerKey, Address.FromId(SystemActors.Power), ActorMethods.Power.CreateMiner, create, TokenAmount.Zero);
            var miner = CreateMinerReturn.FromCbor(created.Receipt.Return).IdAddress.ToString('t');
            await PushAndLandAsync(devnet, clock, ClientKey, Address.FromId(SystemActors.Market), ActorMethods.Market.AddBalance,
                MarketAddBalanceParams.ToCbor(client), TokenAmount.FromFil(100));

            var database = DatabaseTarget.Resolve(databaseValue, directory);
            await SchemaMigrator.ApplyAsync(database);
            if (kind == "sqlite-normal")
            {
                // Not what a granary silo does (it keeps SQLite's default, synchronous=FULL): the same run with the grain
                // storage's writes committed without an fsync each, to show what the disk's fsync costs.
                await using var c = new SqliteConnection(database.ConnectionString);
                await c.OpenAsync();
                await using var cmd = c.CreateCommand();
                cmd.CommandText = "UPDATE OrleansQuery SET QueryText = 'PRAGMA synchronous = NORMAL; ' || QueryText WHERE QueryKey = 'WriteToStorageKey'";
                await cmd.ExecuteNonQueryAsync();
            }

            // Every proposal signed up front: the client's cost is not the provider's rate.
            var head = (await devnet.ChainHead()).Height;
            var piece = PieceCid.V1(CommP.Compute(Encoding.ASCII.GetBytes("granary bench piece")).Commitment);
            var root = DagCbor.CidOf(Encoding.ASCII.GetBytes("granary bench root"));
            var warmup = Math.Min(200, Math.Max(20, count / 10));
            var proposals = Enumerable.Range(0, warmup + count).Select(i =>
            {
                var uuid = Guid.NewGuid();
                var proposal = new DealProposal(piece, 2048, false, client, Address.Parse(miner), DealLabel.FromString($"bench deal {uuid}"),
                    head + 2_000, head + 2_000 + DealmakingOptions.FilecoinMinDealDuration, new TokenAmount(100), TokenAmount.Zero, TokenAmount.Zero);
                return new DealParams(uuid, true, ClientDealProposal.SignSecp256k1(proposal, ClientKey), root, DealTransfer.None, false, false).ToCbor();
            }).ToArray();
            var uuids = proposals.Select(p => DealParams.FromCbor(p).DealUuid).ToArray();

            var accepted = new List<Guid>();
            double rate;
            int connections;
            await using (var silo = await StartSiloAsync(database, devnet, miner))
            {
                await using var clientHost = new Libp2pHost(Identity.Generate(), new Libp2pHostOptions { IdleTimeout = TimeSpan.Zero });
                await RunProposalsAsync(clientHost, silo.Address, proposals[..warmup], uuids[..warmup], concurrency, accepted);
                accepted.Clear();

                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var databaseCpuBefore = DatabaseServerCpu.Total(database);
                var watch = Stopwatch.StartNew();
                var refusals = await RunProposalsAsync(clientHost, silo.Address, proposals[warmup..], uuids[warmup..], concurrency, accepted);
                var seconds = watch.Elapsed.TotalSeconds;
                var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
                var databaseCpu = DatabaseServerCpu.Total(database) - databaseCpuBefore;
                if (Environment.GetEnvironmentVariable("GRANARY_BENCH_STORAGE_TIMES") is not null)
                {
                    emit(new { stage = $"proposals_{kind}_storage", calls = TimedGrainStorage.Report() });
                    TimedGrainStorage.Calls.Clear();
                }

                connections = clientHost.Connections.Count;
                rate = accepted.Count / seconds;
                emit(new
                {
                    stage = $"proposals_{kind}",
                    proposals = count,
                    accepted = accepted.Count,
                    refused = refusals.Count,
                    first_refusal = refusals.FirstOrDefault(),
                    streams_in_flight = concurrency,
                    libp2p_connections = connections,
                    seconds = Math.Round(seconds, 2),
                    per_s = Math.Round(rate, 1),
                    // CPU per proposal (client, gateway and silo share this process; the server's is PostgreSQL's own processes):
                    // steadier than the rate when the machine is busy with other work.
                    cpu_ms_per_proposal = Math.Round(cpu.TotalMilliseconds / Math.Max(1, accepted.Count), 3),
                    database_server_cpu_ms_per_proposal = databaseCpu is { } d ? Math.Round(d.TotalMilliseconds / Math.Max(1, accepted.Count), 3) : (double?)null,
                    database = database.Describe(),
                });
                if (connections != 1)
                {
                    throw new InvalidOperationException($"the client used {connections} libp2p connections, not one");
                }
            }

            // A fresh silo on the same database: every accepted deal must be there, at Accepted, with its directory entry.
            var watchVerify = Stopwatch.StartNew();
            await using (var again = await StartSiloAsync(database, devnet, miner))
            {
                var grains = again.Services.GetRequiredService<IGrainFactory>();
                var found = 0;
                foreach (var chunk in accepted.Chunk(256))
                {
                    var statuses = await Task.WhenAll(chunk.Select(u => grains.GetGrain<IDealGrain>(u).GetStatus()));
                    found += statuses.Count(s => s is { Summary.Checkpoint: DealCheckpoint.Accepted });
                }

                var listed = await grains.GetGrain<IDealDirectoryGrain>(miner).Describe();
                emit(new
                {
                    stage = $"proposals_{kind}_verify",
                    accepted = accepted.Count,
                    stored = found,
                    directory_deals = listed.Deals,
                    directory_reservations = listed.Reservations,
                    seconds = Math.Round(watchVerify.Elapsed.TotalSeconds, 2),
                });
                if (found != accepted.Count || listed.Deals != accepted.Count + warmup)
                {
                    throw new InvalidOperationException(
                        $"{accepted.Count} deals were accepted but {found} are stored and the directory lists {listed.Deals} (with {warmup} warm-up deals)");
                }
            }

            return rate;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    // Sends the proposals with `concurrency` streams in flight on the client's one connection; returns the refusals.
    private static async Task<List<string>> RunProposalsAsync(Libp2pHost client, Multiaddr gateway, byte[][] proposals, Guid[] uuids, int concurrency,
        List<Guid> accepted)
    {
        var refusals = new List<string>();
        var next = -1;
        var gate = new Lock();
        await client.DialAsync(gateway);
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < proposals.Length)
            {
                await using var stream = await client.NewStreamAsync(gateway, MarketsProtocolIds.DealV121);
                await stream.WriteAsync(proposals[i]);
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                var response = DealResponse.FromCbor(await CborItemReader.ReadAsync(stream, 1 << 20, deadline.Token));
                lock (gate)
                {
                    if (response.Accepted)
                    {
                        accepted.Add(uuids[i]);
                    }
                    else
                    {
                        refusals.Add(response.Message);
                    }
                }
            }
        });
        await Task.WhenAll(workers);
        return refusals;
    }

    private static async Task<BenchSilo> StartSiloAsync(DatabaseTarget database, DevnetNode devnet, string miner)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: "bench-proposals", clusterId: "bench-proposals");
            silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
            {
                o.Invariant = database.Invariant;
                o.ConnectionString = database.ConnectionString;
            });
            if (Environment.GetEnvironmentVariable("GRANARY_BENCH_STORAGE_TIMES") is not null)
            {
                // Profiling aid: counts and times every grain storage call that reaches the database (reported after the timed run).
                silo.WrapGrainStorage(GrainStorage.Name, inner => new TimedGrainStorage(inner));
            }

            if (database.Kind == DatabaseKind.Sqlite)
            {
                silo.SerializeGrainStorageWrites(GrainStorage.Name); // as a granary silo on SQLite does
            }

            silo.SkipReadsOfNewState(GrainStorage.Name); // as a granary silo does: a proposal's deal grain activates without a read

            silo.UseAdoNetReminderService(o =>
            {
                o.Invariant = database.Invariant;
                o.ConnectionString = database.ConnectionString;
            });
            silo.UseSubsystems(SubsystemSet.Of(Subsystem.Markets, Subsystem.Mining));
            silo.Services.AddSingleton<Granary.Chain.IChainNode>(devnet);
            silo.Services.AddSingleton<IMinerKeys>(new Keys([OwnerKey, WorkerKey]));
            silo.Services.Configure<DealmakingOptions>(o =>
            {
                o.Miner = miner;
                o.MaxStagingBytes = 1L << 50;
                o.StartEpochSealingBuffer = 100;
                o.BlockDelay = TimeSpan.FromSeconds(4);
                o.ExpectedSealDuration = TimeSpan.FromSeconds(600);
            });
        });
        builder.Services.AddPieceDirectory(
            () => database.Kind == DatabaseKind.Sqlite ? new SqliteConnection(database.ConnectionString) : new NpgsqlConnection(database.ConnectionString),
            database.Kind == DatabaseKind.Sqlite ? PieceStoreDialect.Sqlite : PieceStoreDialect.PostgreSql);
        var host = builder.Build();
        await host.StartAsync();

        var gateway = new Libp2pHost(Identity.Generate(), new Libp2pHostOptions { IdleTimeout = TimeSpan.Zero });
        var handlers = new MarketsHandlers(host.Services.GetRequiredService<IGrainFactory>(), devnet,
            new MarketsHandlerOptions(miner, "bench-gateway", [Multiaddr.Parse("/ip4/127.0.0.1/tcp/24002/http")]),
            NullLogger<MarketsHandlers>.Instance, host.Services.GetService<PieceBlockStore>());
        handlers.Register(gateway);
        await gateway.StartAsync([Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")]);
        return new BenchSilo(host, gateway, gateway.ListenAddresses[0].WithPeerIdMultihash(gateway.PeerId.Multihash.Span));
    }

    private static async Task<string> CreatePostgresDatabaseAsync(string server)
    {
        var name = $"granary_bench_{Guid.NewGuid():N}"[..32];
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE {name}";
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 100 }.ToString();
    }

    private static async Task<Granary.Chain.Model.MessageLookup> PushAndLandAsync(DevnetNode devnet, ManualDevnetClock clock, byte[] key, Address to,
        ulong method, byte[] parameters, TokenAmount value)
    {
        var from = Secp256k1.AddressOf(key);
        var message = MessageGas.Default.Apply(new Message(0, to, from, await devnet.MpoolGetNonce(from), value, 0,
            TokenAmount.Zero, TokenAmount.Zero, method, parameters));
        var cid = await devnet.MpoolPush(SignedMessage.SignSecp256k1(message, key));
        await clock.AdvanceAsync(1);
        var landed = await devnet.StateWaitMsg(cid, 0).WaitAsync(TimeSpan.FromSeconds(30));
        return landed.Receipt.ExitCode == 0 ? landed : throw new InvalidOperationException($"method {method} failed with exit code {landed.Receipt.ExitCode}");
    }

    private static byte[] Key(string name) => Blake2b.Hash256(Encoding.ASCII.GetBytes($"granary bench proposals {name}"));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Keys(byte[][] keys) : IMinerKeys
    {
        public string Source => "the benchmark's keys";

        public byte[]? Find(Address address) => keys.FirstOrDefault(k => Secp256k1.AddressOf(k) == address);
    }

    private sealed class BenchSilo(IHost host, Libp2pHost gateway, Multiaddr address) : IAsyncDisposable
    {
        public Multiaddr Address => address;

        public IServiceProvider Services => host.Services;

        public async ValueTask DisposeAsync()
        {
            await gateway.DisposeAsync();
            await host.StopAsync();
            host.Dispose();
        }
    }
}
