namespace Granary.Grains.Miner;

/// <summary>A miner message landed on chain and failed: its exit code is not 0.</summary>
[GenerateSerializer, Alias("granary.MinerMessageFailedException")]
public sealed class MinerMessageFailedException : MinerException
{
    /// <summary>Creates the exception for the message <paramref name="cid"/> calling <paramref name="method"/>.</summary>
    public MinerMessageFailedException(string miner, ulong method, long exitCode, string cid, long height)
        : base($"miner {miner} method {MinerMethods.Name(method)} ({method}) failed with exit code {exitCode} ({ExitCodeName(exitCode)}) "
            + $"in message {cid} at epoch {height}")
    {
        Method = method;
        ExitCode = exitCode;
        Cid = cid;
    }

    /// <summary>The miner method.</summary>
    [Id(0)] public ulong Method { get; private set; }

    /// <summary>The exit code.</summary>
    [Id(1)] public long ExitCode { get; private set; }

    /// <summary>The message's CID.</summary>
    [Id(2)] public string Cid { get; private set; } = "";

    // go-state-types exitcode names of the codes an SP meets.
    private static string ExitCodeName(long code) => code switch
    {
        1 => "SysErrSenderInvalid",
        2 => "SysErrSenderStateInvalid",
        3 => "SysErrInvalidMethod",
        5 => "SysErrInvalidReceiver",
        6 => "SysErrInsufficientFunds",
        7 => "SysErrOutOfGas",
        8 => "SysErrForbidden",
        16 => "ErrIllegalArgument",
        17 => "ErrNotFound",
        18 => "ErrForbidden",
        19 => "ErrInsufficientFunds",
        20 => "ErrIllegalState",
        21 => "ErrSerialization",
        22 => "ErrUnhandledMessage",
        _ => "unknown",
    };
}
