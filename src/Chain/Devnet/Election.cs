using System.Numerics;
using Granary.Chain.Model;

namespace Granary.Chain.Devnet;

/// <summary>
/// Who wins an epoch. Filecoin elects by each miner's WinningPoSt VRF; the devnet elects itself: among miners with
/// power (HasMinPower: at least one active sector, the devnet's minimum) it draws beacon randomness with
/// <see cref="DomainSeparationTag.ElectionProofProduction"/> at the epoch and picks one with probability
/// proportional to quality-adjusted power, walking the miners in id order. The SP's own WinningPoSt is not
/// checked here. The winner's miner actor receives <see cref="BlockReward"/> (unlocked, no vesting) and the
/// epoch's gas tips; with no miner, the block is the system actor's and the tips are burnt.
/// </summary>
internal static class Election
{
    /// <summary>The fixed block reward: 10 FIL, from the reward actor.</summary>
    public static readonly BigInteger BlockReward = 10 * Filecoin.Tokens.TokenAmount.AttoPerFil;

    public static ulong? Winner(IEnumerable<(ulong Miner, BigInteger Power)> miners, long epoch)
    {
        var candidates = miners.Where(m => m.Power.Sign > 0).OrderBy(m => m.Miner).ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var total = candidates.Aggregate(BigInteger.Zero, (sum, m) => sum + m.Power);
        var draw = new BigInteger(DevnetRandomness.FromBeacon(DomainSeparationTag.ElectionProofProduction, epoch, []), isUnsigned: true, isBigEndian: true) % total;
        foreach (var (miner, power) in candidates)
        {
            if (draw < power)
            {
                return miner;
            }

            draw -= power;
        }

        return candidates[^1].Miner;
    }
}
