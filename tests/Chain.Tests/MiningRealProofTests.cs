using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Mining;
using Granary.Chain.Model;
using Granary.Proofs.PoSt;
using Granary.Proofs.Seal;
using static Granary.Chain.Tests.MiningTests;

namespace Granary.Chain.Tests;

/// <summary>
/// The miner rules with the real Proofs engine: 2 KiB sectors sealed with the chain's ticket and seed for this
/// miner's prover id, proven with <see cref="MinerProofs"/> (SealVerifier and the PoSt verifier) as the delegates.
/// </summary>
public sealed class MiningRealProofTests : IDisposable
{
    private const long PreCommitEpoch = 100;
    private const long TicketEpoch = PreCommitEpoch - 1;
    private const long SeedEpoch = PreCommitEpoch + 10;
    private readonly string _root = Directory.CreateTempSubdirectory("granary-mining-").FullName;
    private readonly Sealer _sealer = new(ProofType);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_really_sealed_sector_is_proven_with_the_real_seal_verifier_and_a_damaged_or_misseeded_proof_is_refused()
    {
        var state = NewMiner();
        var sector = Seal(7, seed: 1);
        PreCommit(state, sector);
        var proof = sector.Prove(Randomness(DomainSeparationTag.InteractiveSealChallengeSeed, SeedEpoch));
        var damaged = (byte[])proof.Clone();
        damaged[damaged.Length / 2] ^= 0x01;
        var misseeded = sector.Prove(Randomness(DomainSeparationTag.InteractiveSealChallengeSeed, SeedEpoch - 1));

        var e = RefusedUnchanged(state, ExitCode.ErrIllegalArgument,
            () => state.ProveCommitSectors([(7UL, damaged)], SeedEpoch + 1, Randomness, MinerProofs.VerifySeal, Policy));
        Assert.Contains("invalid seal proof", e.Message);
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument,
            () => state.ProveCommitSectors([(7UL, misseeded)], SeedEpoch + 1, Randomness, MinerProofs.VerifySeal, Policy));
        var result = state.ProveCommitSectors([(7UL, proof)], SeedEpoch + 1, Randomness, MinerProofs.VerifySeal, Policy);

        Assert.Equal([7UL], result.Activated.Select(a => a.SectorNumber));
        Assert.Equal(SectorCommitments.SealedCid(sector.Pc2.CommR), state.Sector(7)!.SealedCid);
    }

    [Fact]
    public void A_window_post_from_the_real_prover_verifies_and_one_over_the_wrong_challenge_does_not()
    {
        var state = NewMiner();
        var sectors = new[] { Seal(7, seed: 1), Seal(8, seed: 2) };
        foreach (var s in sectors)
        {
            PreCommit(state, s);
        }

        state.ProveCommitSectors([.. sectors.Select(s => (s.Number, s.Prove(Randomness(DomainSeparationTag.InteractiveSealChallengeSeed, SeedEpoch))))],
            SeedEpoch + 1, Randomness, MinerProofs.VerifySeal, Policy);
        Assert.Equal((0UL, 0UL), state.Location(8));
        var epoch = NextOpen(0, SeedEpoch + 1) + 1;
        Advance(state, epoch - 1);
        var dl = state.ProvingDeadline(epoch, Policy);
        var onChain = sectors.Select(s => new PoStSector(s.Number, s.Pc2.CommR, s.Paths)).ToList();
        var wrong = PoStProver.Prove(ProofType, PoStKind.Window, Randomness(DomainSeparationTag.WindowedPoStChallengeSeed, dl.Challenge - 1), onChain).Proof;
        var right = PoStProver.Prove(ProofType, PoStKind.Window, Randomness(DomainSeparationTag.WindowedPoStChallengeSeed, dl.Challenge), onChain).Proof;

        RefusedUnchanged(state, ExitCode.ErrIllegalArgument,
            () => state.SubmitWindowedPoSt(dl.Index, [0], wrong, dl.Challenge, epoch, Randomness, MinerProofs.VerifyWindowPoSt, Policy));
        var result = state.SubmitWindowedPoSt(dl.Index, [0], right, dl.Challenge, epoch, Randomness, MinerProofs.VerifyWindowPoSt, Policy);

        Assert.Equal([7UL, 8UL], result.Activated.Members);
        Assert.Equal(2 * 2048, state.Power().RawBytePower);
    }

    [Fact]
    public void A_lost_replica_is_skipped_by_the_real_prover_and_becomes_faulty_while_the_rest_verifies()
    {
        var state = NewMiner();
        var sectors = new[] { Seal(7, seed: 1), Seal(8, seed: 2) };
        foreach (var s in sectors)
        {
            PreCommit(state, s);
        }

        state.ProveCommitSectors([.. sectors.Select(s => (s.Number, s.Prove(Randomness(DomainSeparationTag.InteractiveSealChallengeSeed, SeedEpoch))))],
            SeedEpoch + 1, Randomness, MinerProofs.VerifySeal, Policy);
        File.Delete(sectors[1].Paths.Sealed);
        var epoch = NextOpen(0, SeedEpoch + 1) + 1;
        Advance(state, epoch - 1);
        var dl = state.ProvingDeadline(epoch, Policy);
        var post = PoStProver.Prove(ProofType, PoStKind.Window, Randomness(DomainSeparationTag.WindowedPoStChallengeSeed, dl.Challenge),
            sectors.Select(s => new PoStSector(s.Number, s.Pc2.CommR, s.Paths)));
        Assert.Equal([8UL], post.Skipped.Select(s => s.SectorNumber));

        // Claiming every sector was proven does not verify; declaring the skipped one does.
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument,
            () => state.SubmitWindowedPoSt(dl.Index, [0], post.Proof, dl.Challenge, epoch, Randomness, MinerProofs.VerifyWindowPoSt, Policy));
        var result = state.SubmitWindowedPoSt(dl.Index, [0], post.Proof, dl.Challenge, epoch, Randomness, MinerProofs.VerifyWindowPoSt, Policy,
            skipped: new BitField(post.Skipped.Select(s => s.SectorNumber)));

        Assert.Equal([8UL], result.NewFaults.Members);
        Assert.Equal([8UL], state.Faults().Members);
        Assert.Equal(2048, state.Power().RawBytePower);
    }

    private void PreCommit(MinerState state, SealedSector sector)
    {
        Advance(state, PreCommitEpoch - 1);
        state.PreCommitSectorBatch([new SectorPreCommitInfo(ProofType.Id, sector.Number, SectorCommitments.SealedCid(sector.Pc2.CommR), TicketEpoch, [],
            MinExpiration(PreCommitEpoch), SectorCommitments.UnsealedCid(sector.Pc1.CommD))], PreCommitEpoch, Policy);
    }

    /// <summary>Seals random Fr32-valid data as this miner's sector <paramref name="number"/> with the ticket the chain gives.</summary>
    private SealedSector Seal(ulong number, int seed)
    {
        var paths = SectorPaths.Under(_root, ActorId, number);
        var data = new byte[ProofType.SectorSize];
        new Random(seed).NextBytes(data);
        for (var i = 31; i < data.Length; i += 32)
        {
            data[i] &= 0x3F; // every 32-byte node below 2^254, as Fr32 padding guarantees
        }

        Directory.CreateDirectory(Path.GetDirectoryName(paths.Unsealed)!);
        File.WriteAllBytes(paths.Unsealed, data);
        var pc1 = _sealer.PreCommit1(paths, MinerProofs.ProverId(ActorId), number, Randomness(DomainSeparationTag.SealRandomness, TicketEpoch));
        var pc2 = _sealer.PreCommit2(paths, pc1);
        return new SealedSector(_sealer, number, paths, pc1, pc2);
    }

    private sealed record SealedSector(Sealer Sealer, ulong Number, SectorPaths Paths, PreCommit1Output Pc1, PreCommit2Output Pc2)
    {
        public byte[] Prove(byte[] seed) => Sealer.Commit2(Sealer.Commit1(Paths, Pc1, Pc2, seed));
    }
}
