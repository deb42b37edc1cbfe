using System.Security.Cryptography;
using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Mining;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Proofs;

namespace Granary.Chain.Tests;

/// <summary>
/// Shared fixtures of the Mining*Tests: a 2 KiB miner on the devnet policy with proving period offset 0 (so
/// deadline d of the period starting at P opens at P + 10d), deterministic randomness, stub verifiers for
/// tests whose subject is not the proof, and helpers that drive the cron epoch by epoch like the devnet does.
/// </summary>
internal static class MiningTests
{
    public const ulong ActorId = 1000;

    public static ChainPolicy Policy => ChainPolicy.Devnet;

    public static SealProofType ProofType => SealProofType.Sector2KiB;

    public static Address Owner { get; } = Address.FromId(100);

    public static Address Worker { get; } = Address.FromId(101);

    /// <summary>A stub seal verifier that accepts anything (for tests whose subject is not the proof).</summary>
    public static bool AcceptSeal(SealVerification _) => true;

    /// <summary>A stub PoSt verifier that accepts anything.</summary>
    public static bool AcceptPoSt(WindowPoStVerification _) => true;

    /// <summary>Deterministic chain randomness: SHA-256 of the tag and epoch.</summary>
    public static byte[] Randomness(DomainSeparationTag tag, long epoch) => SHA256.HashData([(byte)tag, .. BitConverter.GetBytes(epoch)]);

    public static MinerState NewMiner(long epoch = 0) =>
        MinerState.Create(ActorId, Owner, Worker, [], null, [], ProofType.Id, epoch, Policy, provingPeriodOffset: 0);

    public static long MinExpiration(long epoch) => epoch + Policy.MaxProveCommitDuration + Policy.MinSectorExpiration;

    public static byte[] FakeCommitment(string kind, ulong sector) => SHA256.HashData(System.Text.Encoding.ASCII.GetBytes($"{kind}{sector}"));

    public static SectorPreCommitInfo PreCommitInfo(ulong number, long epoch, long? expiration = null, IReadOnlyList<ulong>? deals = null) =>
        new(ProofType.Id, number, SectorCommitments.SealedCid(FakeCommitment("commr", number)), epoch - 1, deals ?? [],
            expiration ?? MinExpiration(epoch), deals is { Count: > 0 } ? SectorCommitments.UnsealedCid(FakeCommitment("commd", number)) : null);

    /// <summary>Runs the cron for every epoch not yet processed up to <paramref name="through"/>; the results that did something.</summary>
    public static List<MinerCronResult> Advance(MinerState state, long through, Func<long, Filecoin.Tokens.TokenAmount?>? balance = null)
    {
        var results = new List<MinerCronResult>();
        for (var e = state.ProcessedThroughEpoch + 1; e <= through; e++)
        {
            results.Add(state.ProcessEpoch(e, Policy, balance?.Invoke(e)));
        }

        return results;
    }

    /// <summary>Pre-commits at <paramref name="epoch"/> and proves right after the seed epoch with a stub verifier; the proving epoch.</summary>
    public static long Commit(MinerState state, long epoch, params ulong[] numbers) => Commit(state, epoch, numbers.Select(n => PreCommitInfo(n, epoch)).ToArray());

    public static long Commit(MinerState state, long epoch, SectorPreCommitInfo[] infos)
    {
        Advance(state, epoch - 1);
        state.PreCommitSectorBatch(infos, epoch, Policy);
        var prove = epoch + Policy.PreCommitChallengeDelay + 1;
        Advance(state, prove - 1);
        state.ProveCommitSectors([.. infos.Select(i => (i.SectorNumber, new byte[] { 1 }))], prove, Randomness, AcceptSeal, Policy);
        return prove;
    }

    /// <summary>The epoch deadline <paramref name="deadline"/> opens in the period starting at <paramref name="periodStart"/>.</summary>
    public static long OpenOf(ulong deadline, long periodStart) => periodStart + ((long)deadline * Policy.WPoStChallengeWindow);

    /// <summary>The first epoch after <paramref name="after"/> at which deadline <paramref name="deadline"/> opens.</summary>
    public static long NextOpen(ulong deadline, long after)
    {
        var open = after - (after % Policy.WPoStProvingPeriod) + ((long)deadline * Policy.WPoStChallengeWindow);
        return open > after ? open : open + Policy.WPoStProvingPeriod;
    }

    /// <summary>Submits a WindowPoSt (stub verifier unless given) for every partition of the deadline open at <paramref name="epoch"/>.</summary>
    public static WindowPoStResult ProveOpenDeadline(MinerState state, long epoch, Func<WindowPoStVerification, bool>? verify = null)
    {
        Advance(state, epoch - 1);
        var dl = state.ProvingDeadline(epoch, Policy);
        var count = (ulong)state.Partitions(dl.Index).Count;
        return state.SubmitWindowedPoSt(dl.Index, [.. Enumerable.Range(0, (int)count).Select(i => (ulong)i)], [1], dl.Challenge, epoch, Randomness,
            verify ?? AcceptPoSt, Policy);
    }

    /// <summary>Runs the cron through <paramref name="through"/>, proving every deadline with partitions in the first epoch after it opens.</summary>
    public static List<MinerCronResult> AdvanceProving(MinerState state, long through)
    {
        var results = new List<MinerCronResult>();
        for (var e = state.ProcessedThroughEpoch + 1; e <= through; e++)
        {
            var dl = state.ProvingDeadline(e, Policy);
            if (e == dl.Open + 1 && state.Partitions(dl.Index).Count > 0)
            {
                ProveOpenDeadline(state, e);
            }

            results.Add(state.ProcessEpoch(e, Policy));
        }

        return results;
    }

    public static ActorException Refused(ExitCode code, Action action)
    {
        var e = Assert.Throws<ActorException>(action);
        Assert.Equal(code, e.ExitCode);
        return e;
    }

    /// <summary>Asserts the refusal left the state exactly as it was.</summary>
    public static ActorException RefusedUnchanged(MinerState state, ExitCode code, Action action)
    {
        var before = state.ToJson();
        var e = Refused(code, action);
        Assert.Equal(before, state.ToJson());
        return e;
    }
}
