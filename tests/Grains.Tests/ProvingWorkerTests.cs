using Granary.Chain.Devnet.Mining;
using Granary.Grains.Proving;
using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Proofs.PoSt;
using Granary.Proofs.Seal;

namespace Granary.Grains.Tests;

/// <summary>
/// A proving silo's work on real 2 KiB sectors sealed by the engine: the readability check with its reasons and time
/// budgets, a WindowPoSt over the sectors that pass (verified by the chain's verifier), and a WinningPoSt.
/// </summary>
public sealed class ProvingWorkerTests : IDisposable
{
    private const ulong Miner = 1000;
    private readonly string _root = Directory.CreateTempSubdirectory("granary-proving-worker-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_sound_sector_checks_good_and_each_kind_of_damage_is_named()
    {
        var sectors = Enumerable.Range(1, 6).Select(n => ProvingTestSectors.Seal(_root, Miner, (ulong)n, new byte[32])).ToList();
        var paths = sectors.Select(s => s.Paths).ToList();
        File.Delete(paths[1].Sealed);
        using (var replica = File.OpenWrite(paths[2].Sealed))
        {
            replica.SetLength(1024);
        }

        var aux = File.ReadAllBytes(paths[3].PAux);
        aux[0] ^= 1;
        File.WriteAllBytes(paths[3].PAux, aux);
        File.Delete(paths[4].TreeRLast);
        var leaf = File.ReadAllBytes(paths[5].Sealed);
        Array.Clear(leaf); // every node rewritten: whatever is challenged fails its own tree
        File.WriteAllBytes(paths[5].Sealed, leaf);

        var checks = await Prover(new DirectoryFiles(_root)).CheckAsync(Miner, [.. sectors.Select(s => s.Sector)]);

        Assert.Equal([1UL, 2, 3, 4, 5, 6], checks.Select(c => c.Sector));
        Assert.True(checks[0].Ok, checks[0].Reason);
        Assert.Null(checks[0].Reason);
        Assert.Equal("test-silo", checks[0].Silo);
        Assert.Contains("sealed replica", checks[1].Reason);
        Assert.Contains("is missing", checks[1].Reason);
        Assert.Contains("has 1024 bytes, not the sector size 2048", checks[2].Reason);
        Assert.Contains("p_aux does not match its CommR", checks[3].Reason);
        Assert.Contains("sc-02-data-tree-r-last.dat is missing", checks[4].Reason);
        Assert.Contains("fails its own check", checks[5].Reason);
        Assert.All(checks.Skip(1), c => Assert.False(c.Ok));
    }

    [Fact]
    public async Task A_WindowPoSt_proves_the_readable_sectors_in_order_and_skips_the_rest_with_reasons()
    {
        var sectors = new ulong[] { 4, 2, 7 }.Select(n => ProvingTestSectors.Seal(_root, Miner, n, new byte[32])).ToList();
        File.Delete(sectors[1].Paths.Sealed); // sector 2
        var randomness = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

        var proof = await Prover(new DirectoryFiles(_root)).ProveWindowAsync(
            new WindowProofRequest(Miner, 3, [0], [.. sectors.Select(s => s.Sector)], randomness));

        Assert.Equal([4UL, 7], proof.Proven);
        var skipped = Assert.Single(proof.Skipped);
        Assert.Equal(2UL, skipped.Sector);
        Assert.Contains("is missing", skipped.Reason);
        var onChain = new SealedTestSector[] { sectors[0], sectors[2] }.Select(s => new PoStPublicSector(s.Sector.Number, s.Sector.CommR)).ToList();
        Assert.True(MinerProofs.VerifyWindowPoSt(new WindowPoStVerification(SealProofType.Sector2KiB.Id, 5, MinerProofs.ProverId(Miner),
            randomness, 0, onChain, proof.Proof), out var reason), reason);
        Assert.False(PoStProver.Verify(SealProofType.Sector2KiB, PoStKind.Window, new byte[32], onChain, proof.Proof, out _));
    }

    [Fact]
    public async Task A_WinningPoSt_of_a_sound_sector_verifies_and_of_a_lost_one_says_why()
    {
        var sector = ProvingTestSectors.Seal(_root, Miner, 1, new byte[32]);
        var prover = Prover(new DirectoryFiles(_root));

        var won = await prover.ProveWinningAsync(new WinningProofRequest(Miner, 100, sector.Sector, new byte[32]));
        Assert.True(won.Verified, won.Reason);
        Assert.True(won.ProofBytes > 66 * 32);

        Directory.Delete(sector.Paths.Cache, recursive: true);
        var lost = await prover.ProveWinningAsync(new WinningProofRequest(Miner, 101, sector.Sector, new byte[32]));
        Assert.False(lost.Verified);
        Assert.Contains("cache", lost.Reason);
    }

    [Fact]
    public async Task Sectors_not_read_within_the_partition_budget_count_as_unreadable()
    {
        var sector = ProvingTestSectors.Seal(_root, Miner, 1, new byte[32]);
        var options = new ProvingOptions { PartitionCheckTimeout = TimeSpan.FromMilliseconds(300), SingleCheckTimeout = TimeSpan.FromMilliseconds(200) };
        var hanging = new HangingFiles();

        var started = DateTime.UtcNow;
        var checks = await new SectorProver(hanging, new ProvingThreads(options), options, "test-silo").CheckAsync(Miner, [sector.Sector]);

        Assert.False(checks[0].Ok);
        Assert.Contains("not checked within PartitionCheckTimeout (0.3 s)", checks[0].Reason);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.True(hanging.Cancelled.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_check_that_runs_past_the_single_budget_is_abandoned_and_reported()
    {
        var options = new ProvingOptions { SingleCheckTimeout = TimeSpan.FromMilliseconds(100) };
        var threads = new ProvingThreads(options);
        using var release = new ManualResetEventSlim();
        try
        {
            await Assert.ThrowsAsync<TimeoutException>(() => threads.CheckAsync(() => release.Wait(TimeSpan.FromSeconds(30)), options.SingleCheckTimeout, CancellationToken.None));
        }
        finally
        {
            release.Set();
        }

        Assert.Equal(7, await threads.CheckAsync(() => 7, options.SingleCheckTimeout, CancellationToken.None));
    }

    [Fact]
    public async Task Sectors_of_different_proof_types_or_no_sectors_are_refused()
    {
        var prover = Prover(new DirectoryFiles(_root));
        await Assert.ThrowsAsync<ArgumentException>(() => prover.ProveWindowAsync(new WindowProofRequest(Miner, 0, [0], [], new byte[32])));
        await Assert.ThrowsAsync<ArgumentException>(() => prover.ProveWindowAsync(new WindowProofRequest(Miner, 0, [0],
            [new ProvingSector(1, new byte[32], 5), new ProvingSector(2, new byte[32], 6)], new byte[32])));
        Assert.Empty(await prover.CheckAsync(Miner, []));
    }

    [Fact]
    public async Task Without_sector_storage_on_the_silo_every_sector_is_unreadable_and_says_so()
    {
        var sector = ProvingTestSectors.Seal(_root, Miner, 1, new byte[32]);
        var checks = await Prover(new LocalSectorFiles(null, "bare")).CheckAsync(Miner, [sector.Sector]);
        Assert.Contains("silo bare has no sector storage", Assert.Single(checks).Reason);
    }

    private static SectorProver Prover(ISectorFiles files)
    {
        var options = new ProvingOptions();
        return new SectorProver(files, new ProvingThreads(options), options, "test-silo");
    }

    // Files laid out as lotus does under one root.
    private sealed class DirectoryFiles(string root) : ISectorFiles
    {
        public Task<SectorPaths> LocateAsync(SectorId sector, SealProofType type, CancellationToken cancellationToken) =>
            Task.FromResult(SectorPaths.Under(root, sector.Miner, sector.Number) with { Unsealed = "" });
    }

    // A locator stuck on a dead mount.
    private sealed class HangingFiles : ISectorFiles
    {
        public TaskCompletionSource Cancelled { get; } = new();

        public async Task<SectorPaths> LocateAsync(SectorId sector, SealProofType type, CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                Cancelled.TrySetResult();
            }

            throw new InvalidOperationException("unreachable");
        }
    }
}

/// <summary>2 KiB committed-capacity sectors sealed by the engine, as a sealing silo leaves them after finalize.</summary>
public static class ProvingTestSectors
{
    /// <summary>The sector type the proving tests use.</summary>
    public static readonly SealProofType Type = SealProofType.Sector2KiB;

    /// <summary>Seals sector <paramref name="number"/> of <paramref name="miner"/> under <paramref name="root"/> (lotus's layout) with the ticket.</summary>
    public static SealedTestSector Seal(string root, ulong miner, ulong number, byte[] ticket)
    {
        var sealer = new Sealer(Type);
        var paths = SectorPaths.Under(root, miner, number);
        Directory.CreateDirectory(Path.GetDirectoryName(paths.Unsealed)!);
        File.WriteAllBytes(paths.Unsealed, new byte[Type.SectorSize]); // committed capacity: zeros
        var proverId = MinerProofs.ProverId(miner);
        var pc1 = sealer.PreCommit1(paths, proverId, number, ticket);
        var pc2 = sealer.PreCommit2(paths, pc1);
        return new SealedTestSector(sealer, new ProvingSector(number, pc2.CommR, Type.Id), paths, pc1, pc2);
    }
}

/// <summary>A sealed test sector and what proving it on chain takes.</summary>
public sealed record SealedTestSector(Sealer Sealer, ProvingSector Sector, SectorPaths Paths, PreCommit1Output Pc1, PreCommit2Output Pc2)
{
    /// <summary>The prove-commit proof for the interactive seed; then finalizes (layers and trees C, D dropped) as the pipeline does.</summary>
    public byte[] ProveAndFinalize(byte[] seed)
    {
        var proof = Sealer.Commit2(Sealer.Commit1(Paths, Pc1, Pc2, seed));
        Sealer.FinalizeSector(Paths, keepUnsealed: false);
        return proof;
    }
}
