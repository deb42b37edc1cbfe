// ./bench.sh pipeline [--sectors N] [--post-sectors M]
// 1. The sealing pipeline on the embedded monolith's configuration, in this process: one silo with all four subsystems,
//    grain state and reminders in SQLite, the real worker pool and local storage (a seal+store path), a real devnet whose
//    manual clock ticks every 50 ms (a fast devnet clock, 20 epochs/s). N committed-capacity 2 KiB sectors are pledged at
//    once; sectors_per_min counts them from the first pledge to the last one in Proving. transition_ms_p50 is the median
//    of the pipeline's own time per state transition (from a step's result to the next state persisted in SQLite), as the
//    sector grains measure it.
// 2. WindowPoSt for M (1,000) 2 KiB sectors in one deadline: the engine's PoSt prover over every partition of the deadline
//    (2 sectors per partition for 2 KiB), each proof then checked by the devnet's verifier (MinerProofs.VerifyWindowPoSt,
//    what SubmitWindowedPoSt runs). The sectors are sealed first with the engine (PC1+PC2; not timed in this figure).
using System.Diagnostics;
using System.Text.Json;
using Granary.Chain;
using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Devnet.Mining;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;
using Granary.Grains;
using Granary.Grains.Miner;
using Granary.Grains.Placement;
using Granary.Grains.Sealing.Workers;
using Granary.Grains.Sectors;
using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Proofs.PoSt;
using Granary.Proofs.Seal;
using Granary.Silo.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using SectorState = Granary.Grains.Sectors.SectorState;

var sectorCount = Arg("--sectors", 24);
var postSectors = Arg("--post-sectors", 1000);
var type = SealProofType.Sector2KiB;
var root = Directory.CreateTempSubdirectory("granary-bench-pipeline-").FullName;
try
{
    var (perMinute, p50, transitions, elapsed) = await PipelineAsync(root, sectorCount);
    Emit(new { bench = "pipeline", phase = "pipeline", sectors = sectorCount, seconds = Math.Round(elapsed.TotalSeconds, 2), transitions, sectors_per_min = perMinute, transition_ms_p50 = p50 });
    var (postSeconds, sealSeconds, partitions) = WindowPoSt(Path.Combine(root, "post"), postSectors);
    Emit(new { bench = "pipeline", phase = "windowpost", sectors = postSectors, partitions, seal_seconds = sealSeconds, seconds = postSeconds });
    Emit(new { bench = "pipeline", sectors_per_min = perMinute, transition_ms_p50 = p50, windowpost_1000_s = postSeconds });
}
finally
{
    Directory.Delete(root, recursive: true);
}

async Task<(double PerMinute, double P50, int Transitions, TimeSpan Elapsed)> PipelineAsync(string directory, int count)
{
    var clock = new ManualDevnetClock(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    var ownerKey = Blake2b.Hash256("granary pipeline bench owner"u8.ToArray());
    var workerKey = Blake2b.Hash256("granary pipeline bench worker"u8.ToArray());
    await using var devnet = DevnetNode.Open(new DevnetOptions
    {
        DatabasePath = Path.Combine(directory, "devnet.db"),
        Clock = clock,
        Genesis = [new GenesisAccount(ownerKey, TokenAmount.FromFil(1_000)), new GenesisAccount(workerKey, TokenAmount.FromFil(1_000))],
    });
    var owner = Secp256k1.AddressOf(ownerKey);
    var create = new CreateMinerParams(owner, Secp256k1.AddressOf(workerKey), type.WindowPoStProofId + 5, [0x00, 0x04, 1, 1, 1, 1], []).ToCbor();
    var message = MessageGas.Default.Apply(new Message(0, Address.FromId(SystemActors.Power), owner, 0, TokenAmount.Zero, 0,
        TokenAmount.Zero, TokenAmount.Zero, ActorMethods.Power.CreateMiner, create));
    var cid = await devnet.MpoolPush(SignedMessage.SignSecp256k1(message, ownerKey));
    await clock.AdvanceAsync(1);
    var miner = CreateMinerReturn.FromCbor((await devnet.StateWaitMsg(cid, 0)).Receipt.Return).IdAddress;

    var database = DatabaseTarget.Resolve("sqlite:granary.db", directory);
    await SchemaMigrator.ApplyAsync(database);
    var subsystems = SubsystemSet.Of(Subsystem.Mining, Subsystem.Sealing, Subsystem.SectorStorage, Subsystem.Markets);
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders();
    builder.UseOrleans(silo =>
    {
        silo.UseLocalhostClustering(siloPort: 21_111, gatewayPort: 31_111);
        silo.AddAdoNetGrainStorage(GrainStorage.Name, o => { o.Invariant = database.Invariant; o.ConnectionString = database.ConnectionString; });
        silo.UseAdoNetReminderService(o => { o.Invariant = database.Invariant; o.ConnectionString = database.ConnectionString; });
        silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(5));
        silo.UseSubsystems(subsystems);
        silo.UseSealingWorkers(subsystems, new SealingWorkerOptions());
        silo.UseSectorPipeline(new SectorPipelineOptions
        {
            PreCommitBatchSize = 10,
            PreCommitBatchWait = TimeSpan.FromSeconds(1),
            CommitBatchSize = 4,
            CommitBatchWait = TimeSpan.FromSeconds(1),
            ChainPollInterval = TimeSpan.FromMilliseconds(25),
            WatchdogPeriod = TimeSpan.FromSeconds(30),
        });
        silo.Services.AddSingleton<IChainNode>(devnet);
        silo.Services.AddSingleton<IMinerKeys>(new Keys([ownerKey, workerKey]));
        silo.Services.Configure<MinerGrainOptions>(o => o.MaxPending = 256);
        silo.AddLocalStorage(_ => new LocalStorageOptions
        {
            StorageFile = Path.Combine(directory, "storage.json"),
            SiloName = "bench",
            RemoteUrl = "http://127.0.0.1:9/remote",
        });
    });
    using var host = builder.Build();
    await host.StartAsync();
    var storage = host.Services.GetRequiredService<LocalStorage>();
    var path = Path.Combine(directory, "sectors");
    LocalStorage.Initialize(path, StoragePathConfig.Create(10, true, true, 0));
    await storage.AttachAsync(path);
    var grains = host.Services.GetRequiredService<IGrainFactory>();

    using var stop = new CancellationTokenSource();
    var ticker = Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            await clock.AdvanceAsync(1);
            try
            {
                await Task.Delay(50, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    });

    var numbers = grains.GetGrain<ISectorNumberGrain>((long)miner.Id);
    var watch = Stopwatch.StartNew();
    var pledged = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => numbers.Pledge(type.Id)));
    var done = new SectorSnapshot[count];
    var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
    for (var i = 0; i < count; i++)
    {
        while (true)
        {
            var s = await grains.GetGrain<ISectorGrain>(new SectorId(miner.Id, pledged[i]).Name).Status();
            if (s!.State == SectorState.Proving)
            {
                done[i] = s;
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"sector {pledged[i]} stuck in {s.State}: {s.LastError}");
            }

            await Task.Delay(20);
        }
    }

    var elapsed = watch.Elapsed;
    await stop.CancelAsync();
    await ticker;
    var micros = done.SelectMany(s => s.TransitionMicroseconds).Order().ToList();
    Emit(new { bench = "pipeline", phase = "transitions", count = micros.Count, p90_ms = micros[(int)(micros.Count * 0.9)] / 1000.0, max_ms = micros[^1] / 1000.0 });
    await host.StopAsync();
    return (Math.Round(count / elapsed.TotalMinutes, 1), Math.Round(micros[micros.Count / 2] / 1000.0, 3), micros.Count, elapsed);
}

(double Seconds, double SealSeconds, int Partitions) WindowPoSt(string directory, int count)
{
    const ulong actor = 1000;
    var sealer = new Sealer(type);
    var proverId = MinerProofs.ProverId(actor);
    var sectors = new PoStSector[count];
    var seal = Stopwatch.StartNew();
    Parallel.For(0, count, i =>
    {
        var number = (ulong)i;
        var paths = SectorPaths.Under(directory, actor, number);
        Directory.CreateDirectory(Path.GetDirectoryName(paths.Unsealed)!);
        File.WriteAllBytes(paths.Unsealed, new byte[type.SectorSize]);
        var ticket = new byte[32];
        ticket[0] = (byte)i;
        var pc1 = sealer.PreCommit1(paths, proverId, number, ticket);
        var pc2 = sealer.PreCommit2(paths, pc1);
        sealer.FinalizeSector(paths);
        sectors[i] = new PoStSector(number, pc2.CommR, paths);
    });
    var sealSeconds = Math.Round(seal.Elapsed.TotalSeconds, 2);

    // One deadline: every partition (2 sectors each for 2 KiB) proven with the deadline's challenge and verified.
    var randomness = new byte[32];
    randomness[0] = 7;
    var partitions = sectors.Chunk(type.WindowPoStPartitionSectors).ToList();
    var watch = Stopwatch.StartNew();
    var verified = 0;
    Parallel.ForEach(partitions, partition =>
    {
        var proof = PoStProver.Prove(type, PoStKind.Window, randomness, partition);
        if (proof.Skipped.Count > 0)
        {
            throw new InvalidOperationException($"skipped sectors: {string.Join(", ", proof.Skipped.Select(s => s.Reason))}");
        }

        var input = new WindowPoStVerification(type.Id, type.WindowPoStProofId + 5, proverId, randomness, 0,
            [.. partition.Select(s => new PoStPublicSector(s.SectorNumber, s.CommR))], proof.Proof);
        if (!MinerProofs.VerifyWindowPoSt(input, out var reason))
        {
            throw new InvalidOperationException($"a WindowPoSt did not verify: {reason}");
        }

        Interlocked.Increment(ref verified);
    });
    return (Math.Round(watch.Elapsed.TotalSeconds, 3), sealSeconds, verified);
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}

static void Emit(object value) => Console.WriteLine(JsonSerializer.Serialize(value));

internal sealed class Keys(byte[][] keys) : IMinerKeys
{
    public string Source => "the bench's keys";

    public byte[]? Find(Address address) => keys.FirstOrDefault(k => Secp256k1.AddressOf(k) == address);
}
