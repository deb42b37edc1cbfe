using Granary.Grains.Sealing.Workers;
using Granary.Proofs;

namespace Granary.Grains.Tests;

/// <summary>The resource table's defaults (lotus and Curio for production sizes, the engine's footprint for devnet sizes), overrides, and lotus's task names.</summary>
public sealed class SealingWorkerResourceTests
{
    private const long KiB = 1L << 10, MiB = 1L << 20, GiB = 1L << 30;

    [Theory]
    // 32 GiB / 64 GiB: lotus's MaxMemory and GPU use, Curio's 4-core SDR, multithreaded PC2/C2 at 92% of 64 cores = 58.
    [InlineData(SealingTaskType.PreCommit1, 8, 4, 64 * GiB, 0, false)]
    [InlineData(SealingTaskType.PreCommit1, 9, 4, 128 * GiB, 0, false)]
    [InlineData(SealingTaskType.PreCommit2, 8, 58, 15 * GiB, 1, true)]
    [InlineData(SealingTaskType.Commit2, 8, 58, 150 * GiB, 1, true)]
    [InlineData(SealingTaskType.Commit2, 9, 58, 190 * GiB, 1, true)]
    [InlineData(SealingTaskType.AddPiece, 8, 1, 4 * GiB, 0, false)]
    [InlineData(SealingTaskType.Commit1, 8, 1, 1 * GiB, 0, false)]
    [InlineData(SealingTaskType.Finalize, 8, 1, 100 * MiB, 0, false)]
    [InlineData(SealingTaskType.Unseal, 8, 4, 64 * GiB, 0, false)]
    // Devnet sizes: the engine's in-memory peak (PC1 7x, PC2 9x, Unseal 8x a sector), or lotus's if larger.
    [InlineData(SealingTaskType.PreCommit1, 5, 1, 14 * KiB, 0, false)]
    [InlineData(SealingTaskType.PreCommit2, 5, 58, 18 * KiB, 0, true)]
    [InlineData(SealingTaskType.Unseal, 5, 1, 16 * KiB, 0, false)]
    [InlineData(SealingTaskType.Commit2, 5, 1, 2 * KiB, 1, false)]
    [InlineData(SealingTaskType.PreCommit1, 6, 1, 56 * MiB, 0, false)]
    [InlineData(SealingTaskType.PreCommit2, 7, 58, 9 * 512 * MiB, 0, true)]
    [InlineData(SealingTaskType.AddPiece, 7, 1, 1 * GiB, 0, false)]
    [InlineData(SealingTaskType.Commit2, 7, 1, 3 * GiB / 2, 1, false)]
    public void Defaults_follow_lotus_and_curio_scaled_to_the_engine(SealingTaskType type, int proofId, int cores, long memory, int gpus, bool multithreaded)
    {
        var table = new SealingResourceTable(64, []);

        Assert.Equal(new TaskResources(cores, memory, gpus, multithreaded), table.For(type, SealProofType.FromId(proofId)));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(12, 11)]
    [InlineData(32, 29)]
    public void A_multithreaded_stage_takes_lotus_share_of_the_cores(int machineCores, int claimed)
    {
        var table = new SealingResourceTable(machineCores, []);

        Assert.Equal(claimed, table.For(SealingTaskType.PreCommit2, SealProofType.Sector2KiB).Cores);
    }

    [Fact]
    public void Overrides_replace_the_claim_for_every_sector_size_and_set_limits()
    {
        var table = new SealingResourceTable(16, [
            new SealingTaskOverride(SealingTaskType.PreCommit1, MaxParallel: 2, Cores: 3, Memory: 5 * GiB),
            new SealingTaskOverride(SealingTaskType.Commit2, GpuSlots: 0),
        ]);

        foreach (var proof in SealProofType.All)
        {
            var pc1 = table.For(SealingTaskType.PreCommit1, proof);
            Assert.Equal((3, 5 * GiB), (pc1.Cores, pc1.Memory));
            Assert.Equal(0, table.For(SealingTaskType.Commit2, proof).GpuSlots);
        }

        Assert.Equal(2, table.MaxParallel(SealingTaskType.PreCommit1));
        Assert.Equal(0, table.MaxParallel(SealingTaskType.PreCommit2));
        Assert.Equal(SealingResourceTable.Default(SealingTaskType.PreCommit2, SealProofType.Sector32GiB, 16),
            table.For(SealingTaskType.PreCommit2, SealProofType.Sector32GiB));
    }

    [Fact]
    public void Every_claim_holds_at_least_one_core()
    {
        Assert.All(new SealingResourceTable(1, []).Rows, r => Assert.True(r.Resources.Cores >= 1, $"{r.Type} {r.Proof.Name}"));
    }

    [Theory]
    [InlineData(SealingTaskType.AddPiece, "seal/v0/addpiece", "AP")]
    [InlineData(SealingTaskType.PreCommit1, "seal/v0/precommit/1", "PC1")]
    [InlineData(SealingTaskType.PreCommit2, "seal/v0/precommit/2", "PC2")]
    [InlineData(SealingTaskType.Commit1, "seal/v0/commit/1", "C1")]
    [InlineData(SealingTaskType.Commit2, "seal/v0/commit/2", "C2")]
    [InlineData(SealingTaskType.Finalize, "seal/v0/finalize", "FIN")]
    [InlineData(SealingTaskType.Unseal, "seal/v0/unseal", "UNS")]
    public void Task_types_carry_lotus_names(SealingTaskType type, string name, string shortName)
    {
        Assert.Equal((name, shortName), (type.Name(), type.Short()));
        Assert.True(SealingTaskTypes.TryParse(name, out var byName) && byName == type);
        Assert.True(SealingTaskTypes.TryParse(shortName.ToLowerInvariant(), out var byShort) && byShort == type);
        Assert.True(SealingTaskTypes.TryParse(type.ToString(), out var byEnum) && byEnum == type);
    }

    [Theory]
    [InlineData("seal/v0/precommit/3")]
    [InlineData("")]
    [InlineData("post/v0/windowproof")]
    public void Unknown_task_names_do_not_parse(string name)
    {
        Assert.False(SealingTaskTypes.TryParse(name, out _));
    }

    [Theory]
    [InlineData("64GiB", 64 * GiB)]
    [InlineData("1.5 GiB", 3 * GiB / 2)]
    [InlineData("512mib", 512 * MiB)]
    [InlineData("2048", 2048)]
    [InlineData("14KiB", 14 * KiB)]
    public void Sizes_parse_in_binary_units(string text, long bytes)
    {
        Assert.Equal(bytes, ByteSize.Parse(text));
    }

    [Theory]
    [InlineData("64GB", "use binary units (GiB)")]
    [InlineData("lots", "is not a size")]
    [InlineData("-1GiB", "is not a size")]
    [InlineData("5 parsecs", "unknown unit 'parsecs'")]
    [InlineData("99999999TiB", "is too large")]
    public void Bad_sizes_are_refused(string text, string message)
    {
        Assert.Contains(message, Assert.Throws<FormatException>(() => ByteSize.Parse(text)).Message);
    }

    [Theory]
    [InlineData(14 * KiB, "14 KiB")]
    [InlineData(3 * GiB / 2, "1.5 GiB")]
    [InlineData(100, "100 B")]
    [InlineData(0, "0 B")]
    public void Sizes_format_in_binary_units(long bytes, string text)
    {
        Assert.Equal(text, ByteSize.Format(bytes));
    }
}
