// ./bench.sh seal — the sealing engine's rates. One JSON object per line; the last is the summary.
// Anchor (reference/performance.md): rust-fil-proofs' 32 GiB PC1 on one SHA-NI core ≈ 1.0 M labels/s.
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Granary.Proofs;
using Granary.Proofs.Graph;
using Granary.Filecoin.Hashing;
using Granary.Proofs.PoSt;
using Granary.Proofs.Sdr;
using Granary.Proofs.Seal;

var root = Directory.CreateTempSubdirectory("granary-bench-seal-").FullName;
var postSectors = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1000;
try
{
    var single8 = LabelRate(SealProofType.Sector8MiB);
    var labels8 = LaneLabelRate(SealProofType.Sector8MiB, 2, null);
    var labels512 = LaneLabelRate(SealProofType.Sector512MiB, 1, 1 << 20);
    var (seal8, pc2MiBs) = FullSeal(SealProofType.Sector8MiB);
    var postRate = WindowPoStRate(postSectors);
    Emit(new
    {
        summary = true,
        pc1_labels_per_s_core = Math.Round(Math.Min(labels8, labels512)),
        pc1_labels_per_s_core_8mib = Math.Round(labels8),
        pc1_labels_per_s_core_512mib = Math.Round(labels512),
        pc1_labels_per_s_core_single_sector_8mib = Math.Round(single8),
        pc1_lanes = Sha256Lanes.Lanes,
        sha256_lanes = Sha256Lanes.Implementation,
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

// Several sectors labeled together in SIMD lanes on one thread (as supraseal does): for 512 MiB the
// second layer's first `nodes` labels, against full-size previous layers (expander parents reach anywhere).
double LaneLabelRate(SealProofType type, int layersToLabel, int? nodesLimit)
{
    var sectors = Sha256Lanes.Lanes;
    var graph = StackedGraph.For(type.Nodes, type.PoRepId);
    var ids = Enumerable.Range(0, sectors).Select(_ => { var id = RandomNumberGenerator.GetBytes(32); id[31] &= 0x3F; return id; }).ToArray();
    var nodes = nodesLimit ?? graph.Nodes;
    var previous = Enumerable.Range(0, sectors).Select(s => { var b = LayerBuffer.Allocate(type.SectorSize); b.AsSpan().Fill((byte)(s + 1)); return b; }).ToArray();
    // Touch every page first: page faults on fresh buffers are allocation cost, not labeling work.
    var current = Enumerable.Range(0, sectors).Select(_ => { var b = LayerBuffer.Allocate(type.SectorSize); b.AsSpan().Fill(0xFF); return b; }).ToArray();
    var startLayer = layersToLabel == 2 ? 1 : 2;
    var watch = Stopwatch.StartNew();
    for (var layer = startLayer; layer <= 2; layer++)
    {
        Labeler.LabelLayers(graph, ids, layer, layer == 1 ? [] : previous, current, default, nodes);
        (previous, current) = (current, previous);
    }

    var labels = (long)sectors * nodes * layersToLabel;
    var rate = labels / watch.Elapsed.TotalSeconds;
    Emit(new { stage = "pc1_labels_lanes", sector = type.Name, sectors, labels, seconds = watch.Elapsed.TotalSeconds, labels_per_s = Math.Round(rate) });
    return rate;
}

// One sector alone: labeling is sequential within a layer, so this is one core's rate without lanes.
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
    Emit(new { stage = "pc1_labels_single_sector", sector = type.Name, labels = 2 * type.Nodes, seconds = watch.Elapsed.TotalSeconds, labels_per_s = Math.Round(rate) });
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
