using Granary.Proofs.Seal;
using Granary.Proofs.Trees;

namespace Granary.Proofs.Tests;

public sealed class SealRoundTripTests
{
    [Theory]
    [InlineData("2KiB")]
    [InlineData("8MiB")]
    public void A_sealed_sector_verifies_and_unseals_to_its_exact_bytes(string size)
    {
        using var sector = new TestSector(SealProofType.FromSizeName(size));

        var proof = sector.Prove();
        Assert.True(SealVerifier.Verify(sector.VerifyInfo, proof, out var reason), reason);

        // CommD is the plain tree over the unsealed bytes; the replica differs from the data everywhere it matters.
        Assert.Equal(MerkleTree.Root(MerkleTree.Build(sector.Data)), sector.Pc1.CommD);
        Assert.NotEqual(sector.Data, File.ReadAllBytes(sector.Paths.Sealed));

        sector.Sealer.FinalizeSector(sector.Paths, keepUnsealed: false);
        Assert.False(File.Exists(sector.Paths.Layer(1)));
        Assert.False(File.Exists(sector.Paths.Unsealed));
        Assert.True(File.Exists(sector.Paths.TreeRLast));

        var output = Path.Combine(sector.Root, "unsealed-again");
        sector.Sealer.Unseal(sector.Paths, sector.ProverId, TestSector.SectorNumber, sector.Ticket, sector.Pc1.CommD, output);
        Assert.Equal(sector.Data, File.ReadAllBytes(output));
    }

    [Fact]
    public void PreCommit1_after_a_crash_reuses_finished_layers_and_gives_the_same_commitments()
    {
        using var sector = new TestSector(SealProofType.Sector2KiB);
        File.Delete(sector.Paths.Layer(2));       // as if the process died labeling layer 2
        File.WriteAllBytes(sector.Paths.Layer(2) + ".tmp", [1, 2, 3]);

        var again = sector.Sealer.PreCommit1(sector.Paths, sector.ProverId, TestSector.SectorNumber, sector.Ticket);
        var pc2 = sector.Sealer.PreCommit2(sector.Paths, again);

        Assert.Equal(sector.Pc2.CommR, pc2.CommR);
    }

    [Fact]
    public void Stages_report_progress_and_honour_cancellation()
    {
        using var sector = new TestSector(SealProofType.Sector2KiB);
        var reports = new List<StageProgress>();
        foreach (var layer in Enumerable.Range(1, 2))
        {
            File.Delete(sector.Paths.Layer(layer));
        }

        sector.Sealer.PreCommit1(sector.Paths, sector.ProverId, TestSector.SectorNumber, sector.Ticket, new SyncProgress(reports));
        Assert.Equal([0.5, 1.0], reports.Select(r => r.Fraction));

        File.Delete(sector.Paths.Layer(1));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            sector.Sealer.PreCommit1(sector.Paths, sector.ProverId, TestSector.SectorNumber, sector.Ticket, null, cancelled.Token));
        Assert.False(File.Exists(sector.Paths.Layer(1)));
    }

    [Fact]
    public void A_wrong_sized_unsealed_file_is_refused_with_a_clear_error()
    {
        using var sector = new TestSector(SealProofType.Sector2KiB);
        File.WriteAllBytes(sector.Paths.Unsealed, new byte[100]);

        var error = Assert.Throws<InvalidDataException>(() => sector.Sealer.PreCommit1(sector.Paths, sector.ProverId, 1, sector.Ticket));
        Assert.Contains("a 2KiB sector is 2048", error.Message);
    }

    private sealed class SyncProgress(List<StageProgress> reports) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => reports.Add(value);
    }
}
