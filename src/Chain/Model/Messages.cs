using Granary.Filecoin.Cids;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Model;

/// <summary>A message's execution result.</summary>
/// <param name="ExitCode">0 on success; Filecoin's exit codes otherwise (e.g. 16 illegal argument, 17 not found, 18 forbidden, 19 insufficient funds; 6 is the VM's insufficient funds for the message itself).</param>
/// <param name="Return">The method's CBOR return value.</param>
/// <param name="GasUsed">Gas charged.</param>
public sealed record MessageReceipt(long ExitCode, byte[] Return, long GasUsed);

/// <summary><c>StateWaitMsg</c>: where a message landed and what it did.</summary>
public sealed record MessageLookup(Cid Message, MessageReceipt Receipt, TipSetKey TipSet, long Height);

/// <summary>Options of <c>MpoolPushMessage</c>.</summary>
/// <param name="MaxFee">The most the sender will pay in gas (zero: the node's default).</param>
public sealed record MessageSendSpec(TokenAmount MaxFee);

/// <summary>Key types a wallet makes.</summary>
public enum WalletKeyType
{
    /// <summary>secp256k1 (<c>f1…</c>).</summary>
    Secp256k1,

    /// <summary>BLS (<c>f3…</c>); the devnet refuses it (no BLS signing here).</summary>
    Bls,
}

/// <summary>Filecoin's randomness domain separation tags (go-state-types <c>crypto.DomainSeparationTag</c>).</summary>
public enum DomainSeparationTag : long
{
    /// <summary>Ticket production.</summary>
    TicketProduction = 1,

    /// <summary>Election proof.</summary>
    ElectionProofProduction = 2,

    /// <summary>WinningPoSt challenge seed.</summary>
    WinningPoStChallengeSeed = 3,

    /// <summary>WindowPoSt challenge seed.</summary>
    WindowedPoStChallengeSeed = 4,

    /// <summary>Seal ticket.</summary>
    SealRandomness = 5,

    /// <summary>Interactive PoRep seed.</summary>
    InteractiveSealChallengeSeed = 6,

    /// <summary>WindowPoSt deadline assignment.</summary>
    WindowedPoStDeadlineAssignment = 7,

    /// <summary>Market deal CRON seed.</summary>
    MarketDealCronSeed = 8,

    /// <summary>PoSt chain commit.</summary>
    PoStChainCommit = 9,
}
