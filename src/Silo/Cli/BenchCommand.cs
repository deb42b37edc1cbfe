using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Granary.Filecoin.Pieces;
using Granary.Proofs;
using Granary.Proofs.PoSt;
using Granary.Proofs.Seal;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary bench sealing --sector-size SIZE</c> (like lotus-bench sealing): seals a sector of random data
/// through every stage, verifies the seal, proves and verifies a WindowPoSt and a WinningPoSt, unseals and
/// compares the bytes, and prints each stage's time and throughput.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var size = new Option<string>("--sector-size") { Description = "Sector size: 2KiB, 8MiB or 512MiB", DefaultValueFactory = _ => "2KiB" };
        var json = CliOptions.Json();
        var storage = new Option<string?>("--storage-dir") { Description = "Scratch directory (default: a temp directory, removed afterwards)" };
        var sealing = new Command("sealing", "Seal, prove and unseal one sector of random data, timing each stage") { size, json, storage };
        sealing.SetAction((r, ct) => Task.FromResult(Run(ParseType(r.GetValue(size)!), r.GetValue(json), r.GetValue(storage), ct)));

        var bench = new Command("bench", "Measure this machine");
        bench.Subcommands.Add(sealing);
        return bench;
    }

    private static SealProofType ParseType(string size)
    {
        try
        {
            return SealProofType.FromSizeName(size);
        }
        catch (ArgumentException e)
        {
            throw new CliError(e.Message, 2);
        }
    }

    private static int Run(SealProofType type, bool json, string? storageDir, CancellationToken ct)
    {
        var root = storageDir ?? Directory.CreateTempSubdirectory("granary-bench-").FullName;
        var stages = new List<Stage>();
        try
        {
            var paths = SectorPaths.Under(root, 1000, 1);
            var sealer = new Sealer(type);
            var proverId = RandomNumberGenerator.GetBytes(32);
            var ticket = Field(RandomNumberGenerator.GetBytes(32));
            var seed = RandomNumberGenerator.GetBytes(32);
            var randomness = RandomNumberGenerator.GetBytes(32);

            var payload = RandomNumberGenerator.GetBytes((int)PaddedPieceSize.Unpadded(type.SectorSize));
            var piece = Timed(stages, "AddPiece", type.SectorSize, () =>
                PieceWriter.AddPieceAsync(type, paths.Unsealed, [], new MemoryStream(payload), type.SectorSize, ct).GetAwaiter().GetResult());
            var pc1 = Timed(stages, "PreCommit1", type.SectorSize, () => sealer.PreCommit1(paths, proverId, 1, ticket, null, ct));
            var pc2 = Timed(stages, "PreCommit2", type.SectorSize, () => sealer.PreCommit2(paths, pc1, null, ct));
            var vanilla = Timed(stages, "Commit1", type.SectorSize, () => sealer.Commit1(paths, pc1, pc2, seed));
            var proof = Timed(stages, "Commit2", type.SectorSize, () => Sealer.Commit2(vanilla));
            var info = new SealVerifyInfo(type, proverId, 1, ticket, seed, pc1.CommD, pc2.CommR);
            Require(Timed(stages, "VerifySeal", 0, () => SealVerifier.Verify(info, proof, out var reason) ? null : reason), "seal verification");
            Timed(stages, "Finalize", 0, () => { sealer.FinalizeSector(paths); return 0; });

            var sector = new PoStSector(1, pc2.CommR, paths);
            PoStPublicSector[] publicSectors = [new(1, pc2.CommR)];
            foreach (var kind in new[] { PoStKind.Window, PoStKind.Winning })
            {
                var post = Timed(stages, $"{kind}PoSt", 0, () => PoStProver.Prove(type, kind, randomness, [sector], ct));
                Require(post.Skipped.Count == 0 ? null : post.Skipped[0].Reason, $"{kind}PoSt proving");
                Require(Timed(stages, $"Verify{kind}PoSt", 0, () =>
                    PoStProver.Verify(type, kind, randomness, publicSectors, post.Proof, out var reason) ? null : reason), $"{kind}PoSt verification");
            }

            var output = Path.Combine(root, "unsealed-copy");
            Timed(stages, "Unseal", type.SectorSize, () => { sealer.Unseal(paths, proverId, 1, ticket, pc1.CommD, output, ct); return 0; });
            var recovered = PieceWriter.ReadPiece(output, piece.Offset, piece.Piece.PaddedSize, piece.PayloadSize);
            Require(recovered.AsSpan().SequenceEqual(payload) ? null : "bytes differ", "unseal");

            Print(type, stages, proof.Length, json);
            return 0;
        }
        finally
        {
            if (storageDir is null)
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private sealed record Stage(string Name, double Seconds, double? MiBPerSecond);

    private static T Timed<T>(List<Stage> stages, string name, long bytes, Func<T> work)
    {
        var watch = Stopwatch.StartNew();
        var result = work();
        var seconds = watch.Elapsed.TotalSeconds;
        stages.Add(new Stage(name, seconds, bytes > 0 ? bytes / 1048576.0 / seconds : null));
        if (!Console.IsErrorRedirected)
        {
            Console.Error.WriteLine($"  {name,-18} {seconds,9:0.000} s");
        }

        return result;
    }

    private static void Require(string? failure, string what)
    {
        if (failure is not null)
        {
            throw new CliError($"{what} failed: {failure}");
        }
    }

    private static byte[] Field(byte[] value)
    {
        value[31] &= 0x3F;
        return value;
    }

    private static void Print(SealProofType type, List<Stage> stages, int proofBytes, bool json)
    {
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                SectorSize = type.Name,
                ProofBytes = proofBytes,
                Stages = stages.Select(s => new { s.Name, s.Seconds, s.MiBPerSecond }),
                TotalSeconds = stages.Sum(s => s.Seconds),
            }));
            return;
        }

        Console.WriteLine($"{type.Name} sector, {Environment.ProcessorCount} cores, proof {proofBytes} bytes");
        Console.WriteLine($"{"STAGE",-18} {"TIME",10} {"THROUGHPUT",14}");
        foreach (var s in stages)
        {
            Console.WriteLine($"{s.Name,-18} {s.Seconds,9:0.000}s {(s.MiBPerSecond is { } t ? $"{t,9:0.0} MiB/s" : ""),14}");
        }

        Console.WriteLine($"{"total",-18} {stages.Sum(s => s.Seconds),9:0.000}s");
    }
}
