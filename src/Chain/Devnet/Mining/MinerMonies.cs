using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet.Mining;

/// <summary>
/// The devnet's simplified miner economics. Filecoin derives deposits, pledges and fees from expected block
/// reward and network power; the devnet uses flat amounts so balances are easy to reason about in tests:
/// <list type="bullet">
/// <item>pre-commit deposit = initial pledge = <see cref="SectorPledge"/> per sector, whatever its size, so a
/// prove-commit swaps the deposit for the pledge and needs no new funds;</item>
/// <item>fault fee: <see cref="FaultFee"/> (a tenth of the sector's pledge) for each faulty sector at each close
/// of its deadline, declared or detected alike (as Filecoin since actors v3);</item>
/// <item>a sector terminated for being faulty longer than <c>FaultMaxAge</c> forfeits its whole pledge;</item>
/// <item>an expired pre-commit forfeits its deposit; an expired sector gets its pledge unlocked.</item>
/// </list>
/// </summary>
public static class MinerMonies
{
    /// <summary>Deposit per pre-committed sector and pledge per proven sector: 0.01 FIL.</summary>
    public static TokenAmount SectorPledge { get; } = new(TokenAmount.AttoPerFil / 100);

    /// <summary>Fee per faulty sector per deadline close: a tenth of its pledge.</summary>
    public static TokenAmount FaultFee(TokenAmount pledge) => new(pledge.AttoFil / 10);
}
