using Granary.Proofs.Seal;

namespace Granary.Proofs.Tests;

/// <summary>Every class of single-byte damage makes the seal proof fail.</summary>
public sealed class SealCorruptionTests
{
    [Fact]
    public void A_damaged_unsealed_node_fails_verification()
    {
        using var sector = new TestSector(SealProofType.Sector2KiB);
        TestSector.FlipByte(sector.Paths.Unsealed, (sector.ChallengedNodes[0] * 32) + 3);

        Assert.False(SealVerifier.Verify(sector.VerifyInfo, sector.Prove(), out var reason));
        Assert.Contains("not in CommD", reason);
    }

    [Fact]
    public void A_damaged_sealed_replica_node_fails_verification()
    {
        using var sector = new TestSector(SealProofType.Sector2KiB);
        TestSector.FlipByte(sector.Paths.Sealed, sector.ChallengedNodes[0] * 32);

        Assert.False(SealVerifier.Verify(sector.VerifyInfo, sector.Prove(), out var reason));
        Assert.Contains("not in CommR-last", reason);
    }

    [Theory]
    [InlineData("tree-d")]
    [InlineData("tree-c")]
    [InlineData("tree-r-last")]
    public void A_damaged_tree_file_fails_verification(string tree)
    {
        using var sector = new TestSector(SealProofType.Sector2KiB);
        var file = tree switch { "tree-d" => sector.Paths.TreeD, "tree-c" => sector.Paths.TreeC, _ => sector.Paths.TreeRLast };
        TestSector.FlipByte(file, (sector.ChallengedNodes[0] ^ 1) * 32); // the first challenge's leaf sibling

        Assert.False(SealVerifier.Verify(sector.VerifyInfo, sector.Prove(), out _));
    }

    [Fact]
    public void A_damaged_layer_label_fails_verification()
    {
        using var sector = new TestSector(SealProofType.Sector2KiB);
        TestSector.FlipByte(sector.Paths.Layer(2), sector.ChallengedNodes[0] * 32);

        Assert.False(SealVerifier.Verify(sector.VerifyInfo, sector.Prove(), out var reason));
        Assert.Contains("column", reason);
    }

    [Fact]
    public void Any_flipped_proof_byte_fails_verification()
    {
        using var sector = new TestSector(SealProofType.Sector2KiB);
        var proof = sector.Prove();

        for (var i = 0; i < proof.Length; i += 13)
        {
            var damaged = (byte[])proof.Clone();
            damaged[i] ^= 0x20;
            Assert.False(SealVerifier.Verify(sector.VerifyInfo, damaged, out _), $"flipping byte {i} of {proof.Length} went unnoticed");
        }
    }

    [Fact]
    public void Truncated_extended_and_garbage_proofs_are_refused_as_malformed()
    {
        using var sector = new TestSector(SealProofType.Sector2KiB);
        var proof = sector.Prove();

        foreach (var bad in new[] { proof[..^1], proof[..10], [], [.. proof, 0], new byte[] { 9, 9, 9 } })
        {
            Assert.False(SealVerifier.Verify(sector.VerifyInfo, bad, out var reason));
            Assert.StartsWith("malformed proof", reason);
        }

        Assert.Throws<ProofFormatException>(() => SealProofCodec.Decode(proof[..^32]));
    }

    [Fact]
    public void Wrong_public_inputs_fail_verification()
    {
        using var sector = new TestSector(SealProofType.Sector2KiB);
        var proof = sector.Prove();
        var info = sector.VerifyInfo;
        var other = new byte[32];
        other[0] = 7;

        Assert.False(SealVerifier.Verify(info with { Seed = other }, proof, out _));
        Assert.False(SealVerifier.Verify(info with { Ticket = other }, proof, out _));
        Assert.False(SealVerifier.Verify(info with { CommR = other }, proof, out _));
        Assert.False(SealVerifier.Verify(info with { CommD = other }, proof, out _));
        Assert.False(SealVerifier.Verify(info with { SectorNumber = 43 }, proof, out _));
        Assert.False(SealVerifier.Verify(info with { ProofType = SealProofType.Sector8MiB }, proof, out _));
    }
}
