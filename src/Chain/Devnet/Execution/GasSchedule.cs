using Granary.Chain.Devnet.Actors;

namespace Granary.Chain.Devnet.Execution;

/// <summary>
/// The devnet's gas model, deliberately simple: a message uses a fixed amount per (actor, method) plus
/// Filecoin's on-chain message charge (38,863 + 1,300 per byte of params); the base fee is fixed at Filecoin's
/// minimum, 100 attoFIL per gas unit. The sender pays GasUsed × BaseFee (burnt to f099) plus GasLimit ×
/// min(GasPremium, GasFeeCap − BaseFee) (the tip, to the epoch's winning miner or burnt when none won);
/// the rest of GasLimit × GasFeeCap, reserved up front, is refunded. A message whose limit is below its gas
/// lands with exit code 7 (out of gas) and pays for its whole limit.
/// </summary>
public static class GasSchedule
{
    /// <summary>attoFIL per gas unit burnt (Filecoin's minimum base fee).</summary>
    public const long BaseFee = 100;

    /// <summary>The most gas one message may ask for, and one block may hold (Filecoin's block gas limit).</summary>
    public const long BlockGasLimit = 10_000_000_000;

    /// <summary>The gas premium <c>MpoolPushMessage</c> sets when the message has none.</summary>
    public const long DefaultGasPremium = 100_000;

    /// <summary>Gas a message to an actor of <paramref name="code"/> calling <paramref name="method"/> uses.</summary>
    public static long GasFor(ActorCode code, ulong method, int paramsLength) => 38_863 + (1_300L * paramsLength) + (method, code) switch
    {
        (ActorMethods.Send, _) => 450_000,
        (ActorMethods.Power.CreateMiner, ActorCode.Power) => 30_000_000,
        (ActorMethods.Market.AddBalance, ActorCode.Market) => 5_000_000,
        (ActorMethods.Market.WithdrawBalance, ActorCode.Market) => 10_000_000,
        (ActorMethods.Market.PublishStorageDeals, ActorCode.Market) => 30_000_000,
        (ActorMethods.Miner.PreCommitSectorBatch or ActorMethods.Miner.PreCommitSectorBatch2, ActorCode.Miner) => 40_000_000,
        (ActorMethods.Miner.ProveCommitSector or ActorMethods.Miner.ProveCommitSectors3, ActorCode.Miner) => 60_000_000,
        (ActorMethods.Miner.SubmitWindowedPoSt, ActorCode.Miner) => 50_000_000,
        (ActorMethods.Miner.DeclareFaults or ActorMethods.Miner.DeclareFaultsRecovered, ActorCode.Miner) => 20_000_000,
        _ => 10_000_000,
    };
}
