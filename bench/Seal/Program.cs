// ./bench.sh seal — the sealing engine's rates. One JSON object per line; the last is the summary.
// Anchor (reference/performance.md): rust-fil-proofs' 32 GiB PC1 on one SHA-NI core ≈ 1.0 M labels/s.
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Granary.Proofs;
using Granary.Proofs.Graph;
using Granary.Proofs.PoSt;
using Granary.Proofs.Sdr;
using Granary.Proofs.Seal;

var root = Directory.CreateTempSubdirectory("granary-bench-seal-").FullName;
var postSectors = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1000;
try
{
    var labels8 = LabelRate(SealProofType.Sector8MiB);
    var labels512 = LabelRate(SealProofType.Sector512MiB);
    var (seal8, pc2MiBs) = FullSeal(SealProofType.Sector8MiB);
    var postRate = WindowPoStRate(postSectors);
    Emit(new
    {
        summary = true,
        pc1_labels_per_s_core = Math.Round(Math.Min(labels8, labels512)),
        pc1_labels_per_s_core_8mib = Math.Round(labels8),
        pc1_labels_per_s_core_512mib = Math.Round(labels512),
        pc2_mib_per_s = Math.Round(pc2MiBs, 1),
        seal_8mib_s = Math.Round(seal8, 3),
        windowpost_sectors_per_s = Math.Round(postRate),
        anchor_rust_fil_proofs_labels_per_s_core = 1_000_000,
        ratio_vs_anchor = Math.Round(Math.Min(labels8, labels512) / 1_000_000, 3),
        cores = Environment.ProcessorCount,
    });
}
finally
{
    Directory.Delete(root, recursive: true);
}

// PC1 labeling is sequential within a layer; "per core" = one layer labeled on one thread.
double LabelRate(SealProofType type)
{
    var graph = StackedGraph.For(type.Nodes, type.PoRepId);
    var replicaId = RandomNumberGenerator.GetBytes(32);
    replicaId[31] &= 0x3F;
    var layer1 = new byte[type.SectorSize];
    var layer2 = new byte[type.SectorSize];
    var watch = Stopwatch.StartNew();
    Labeler.LabelLayer(graph, replicaId, 1, [], layer1);
    Labeler.LabelLayer(graph, replicaId, 2, layer1, layer2);
    var rate = 2 * type.Nodes / watch.Elapsed.TotalSeconds;
    Emit(new { stage = "pc1_labels", sector = type.Name, labels = 2 * type.Nodes, seconds = watch.Elapsed.TotalSeconds, labels_per_s = Math.Round(rate) });
    return rate;
}

(double Seconds, double Pc2MiBs) FullSeal(SealProofType type)
{
    var paths = SectorPaths.Under(Path.Combine(root, "seal"), 1000, 1);
    var data = RandomNumberGenerator.GetBytes((int)type.SectorSize);
    for (var i = 31; i < data.Length; i += 32) data[i] &= 0x3F;
    AtomicFile.Write(paths.Unsealed, data);
    var ticket = new byte[32];
    var sealer = new Sealer(type);
    var total = Stopwatch.StartNew();
    var pc1 = sealer.PreCommit1(paths, new byte[32], 1, ticket);
    var pc2Watch = Stopwatch.StartNew();
    var pc2 = sealer.PreCommit2(paths, pc1);
    var pc2Seconds = pc2Watch.Elapsed.TotalSeconds;
    var proof = Sealer.Commit2(sealer.Commit1(paths, pc1, pc2, new byte[32]));
    sealer.FinalizeSector(paths);
    var seconds = total.Elapsed.TotalSeconds;
    Emit(new { stage = "seal", sector = type.Name, seconds, pc2_seconds = pc2Seconds, proof_bytes = proof.Length });
    return (seconds, type.SectorSize / 1048576.0 / pc2Seconds);
}

double WindowPoStRate(int count)
{
    var type = SealProofType.Sector2KiB;
    var sealer = new Sealer(type);
    var sectors = new List<PoStSector>();
    for (var n = 1; n <= count; n++)
    {
        var paths = SectorPaths.Under(Path.Combine(root, "post"), 1000, (ulong)n);
        var data = RandomNumberGenerator.GetBytes((int)type.SectorSize);
        for (var i = 31; i < data.Length; i += 32) data[i] &= 0x3F;
        AtomicFile.Write(paths.Unsealed, data);
        var pc1 = sealer.PreCommit1(paths, new byte[32], (ulong)n, new byte[32]);
        var pc2 = sealer.PreCommit2(paths, pc1);
        sealer.FinalizeSector(paths);
        sectors.Add(new PoStSector((ulong)n, pc2.CommR, paths));
    }

    var randomness = RandomNumberGenerator.GetBytes(32);
    var watch = Stopwatch.StartNew();
    var result = PoStProver.Prove(type, PoStKind.Window, randomness, sectors);
    var seconds = watch.Elapsed.TotalSeconds;
    if (result.Skipped.Count > 0) throw new InvalidOperationException("a benchmark sector was skipped");
    var verifyWatch = Stopwatch.StartNew();
    var ok = PoStProver.Verify(type, PoStKind.Window, randomness, [.. sectors.Select(s => new PoStPublicSector(s.SectorNumber, s.CommR))], result.Proof, out _);
    Emit(new { stage = "windowpost", sectors = count, prove_seconds = seconds, verify_seconds = verifyWatch.Elapsed.TotalSeconds, verified = ok });
    return count / seconds;
}

static void Emit(object value) => Console.WriteLine(JsonSerializer.Serialize(value));
