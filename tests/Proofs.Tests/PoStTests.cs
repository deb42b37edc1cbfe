using Granary.Proofs.PoSt;
using Granary.Proofs.Seal;

namespace Granary.Proofs.Tests;

public sealed class PoStTests
{
    private static readonly byte[] Randomness = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();

    [Theory]
    [InlineData(PoStKind.Window)]
    [InlineData(PoStKind.Winning)]
    public void Healthy_sectors_are_proven_and_verified(PoStKind kind)
    {
        using var a = new TestSector(SealProofType.Sector2KiB, seed: 1);
        using var b = new TestSector(SealProofType.Sector2KiB, seed: 2);
        var sectors = new[] { Sector(a, 1), Sector(b, 2) };

        var result = PoStProver.Prove(SealProofType.Sector2KiB, kind, Randomness, sectors);

        Assert.Empty(result.Skipped);
        Assert.True(PoStProver.Verify(SealProofType.Sector2KiB, kind, Randomness, Public(sectors), result.Proof, out var reason), reason);
        var otherRandomness = (byte[])Randomness.Clone();
        otherRandomness[0] ^= 1;
        Assert.False(PoStProver.Verify(SealProofType.Sector2KiB, kind, otherRandomness, Public(sectors), result.Proof, out _));
    }

    [Fact]
    public void A_lost_or_damaged_replica_is_skipped_not_a_failed_partition()
    {
        using var healthy = new TestSector(SealProofType.Sector2KiB, seed: 1);
        using var lost = new TestSector(SealProofType.Sector2KiB, seed: 2);
        using var damaged = new TestSector(SealProofType.Sector2KiB, seed: 3);
        File.Delete(lost.Paths.Sealed);
        var node = Challenges.PoSt(Randomness, 3, SealProofType.Sector2KiB.Nodes, SealProofType.WindowPoStChallenges)[0];
        TestSector.FlipByte(damaged.Paths.Sealed, node * 32);
        var sectors = new[] { Sector(healthy, 1), Sector(lost, 2), Sector(damaged, 3) };

        var result = PoStProver.Prove(SealProofType.Sector2KiB, PoStKind.Window, Randomness, sectors);

        Assert.Equal([1UL], result.Proven);
        Assert.Equal([2UL, 3UL], result.Skipped.Select(s => s.SectorNumber));
        Assert.True(PoStProver.Verify(SealProofType.Sector2KiB, PoStKind.Window, Randomness, Public([sectors[0]]), result.Proof, out var reason), reason);
        // Claiming the skipped sectors were proven does not verify.
        Assert.False(PoStProver.Verify(SealProofType.Sector2KiB, PoStKind.Window, Randomness, Public(sectors), result.Proof, out _));
    }

    [Fact]
    public void Damaged_or_truncated_post_proofs_fail()
    {
        using var sector = new TestSector(SealProofType.Sector2KiB);
        var sectors = new[] { Sector(sector, 1) };
        var proof = PoStProver.Prove(SealProofType.Sector2KiB, PoStKind.Window, Randomness, sectors).Proof;

        for (var i = 0; i < proof.Length; i += 11)
        {
            var bad = (byte[])proof.Clone();
            bad[i] ^= 0x10;
            Assert.False(PoStProver.Verify(SealProofType.Sector2KiB, PoStKind.Window, Randomness, Public(sectors), bad, out _), $"byte {i}");
        }

        Assert.False(PoStProver.Verify(SealProofType.Sector2KiB, PoStKind.Window, Randomness, Public(sectors), proof[..^1], out _));
        Assert.False(PoStProver.Verify(SealProofType.Sector2KiB, PoStKind.Window, Randomness, Public(sectors), [], out _));
    }

    private static PoStSector Sector(TestSector s, ulong number) => new(number, s.Pc2.CommR, s.Paths);

    private static PoStPublicSector[] Public(IEnumerable<PoStSector> sectors) => [.. sectors.Select(s => new PoStPublicSector(s.SectorNumber, s.CommR))];
}
