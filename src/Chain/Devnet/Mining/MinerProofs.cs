using Granary.Proofs;
using Granary.Proofs.PoSt;
using Granary.Proofs.Seal;

namespace Granary.Chain.Devnet.Mining;

/// <summary>The real verifiers (the Proofs engine) in the shape the miner rules call them.</summary>
public static class MinerProofs
{
    /// <summary>Checks a seal proof with <see cref="SealVerifier"/>; an unsupported proof type does not verify.</summary>
    public static bool VerifySeal(SealVerification input) => VerifySeal(input, out _);

    /// <summary>Checks a seal proof with <see cref="SealVerifier"/>, saying why it fails.</summary>
    public static bool VerifySeal(SealVerification input, out string? reason)
    {
        if (!TryType(input.SealProof, out var type, out reason))
        {
            return false;
        }

        var info = new SealVerifyInfo(type, input.ProverId, input.SectorNumber, input.Ticket, input.Seed, input.CommD, input.CommR);
        try
        {
            return SealVerifier.Verify(info, input.Proof, out reason);
        }
        catch (ArgumentException e)
        {
            reason = e.Message; // wrong-sized public inputs
            return false;
        }
    }

    /// <summary>Checks a WindowPoSt with <see cref="PoStProver.Verify"/>; an unsupported proof type does not verify.</summary>
    public static bool VerifyWindowPoSt(WindowPoStVerification input) => VerifyWindowPoSt(input, out _);

    /// <summary>Checks a WindowPoSt with <see cref="PoStProver.Verify"/>, saying why it fails.</summary>
    public static bool VerifyWindowPoSt(WindowPoStVerification input, out string? reason)
    {
        if (!TryType(input.SealProof, out var type, out reason))
        {
            return false;
        }

        try
        {
            return PoStProver.Verify(type, PoStKind.Window, input.Randomness, input.Sectors, input.Proof, out reason);
        }
        catch (ArgumentException e)
        {
            reason = e.Message;
            return false;
        }
    }

    /// <summary>Filecoin's prover id for a miner: its actor id as an unsigned varint, zero-padded to 32 bytes.</summary>
    public static byte[] ProverId(ulong actorId)
    {
        var id = new byte[32];
        Filecoin.Encoding.Varint.Write(actorId, id);
        return id;
    }

    private static bool TryType(long id, out SealProofType type, out string? reason)
    {
        type = SealProofType.All.FirstOrDefault(t => t.Id == id)!;
        reason = type is null ? $"unsupported seal proof type {id}" : null;
        return type is not null;
    }
}
