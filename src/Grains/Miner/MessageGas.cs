using Granary.Filecoin.Chain;
using Granary.Filecoin.Tokens;

namespace Granary.Grains.Miner;

/// <summary>
/// Gas for messages the SP signs itself (pushed with <c>MpoolPush</c>, so the node does not fill gas in). The chain
/// boundary has no gas estimation, so the limit is a fixed allowance plus Filecoin's per-byte message charge, and
/// the fee cap covers the base fee with room. Only the gas used is burnt; the premium is paid on the limit, so the
/// cost of a message stays small (a few 1e-5 FIL with the defaults).
/// </summary>
/// <param name="BaseGas">Gas allowed for the method itself.</param>
/// <param name="GasPerParamsByte">Gas per byte of params (Filecoin's on-chain message charge is 1,300).</param>
/// <param name="FeeCap">The most paid per gas unit (attoFIL).</param>
/// <param name="Premium">The tip per gas unit (attoFIL), at most the fee cap.</param>
public sealed record MessageGas(long BaseGas, long GasPerParamsByte, TokenAmount FeeCap, TokenAmount Premium)
{
    /// <summary>Largest gas limit one message may ask for (Filecoin's block gas limit).</summary>
    public const long BlockGasLimit = 10_000_000_000;

    /// <summary>100M gas plus the params charge; fee cap 200,100 attoFIL (twice the minimum base fee plus the premium); premium 100,000.</summary>
    public static MessageGas Default { get; } = new(100_000_000, 1_300, new TokenAmount(200_100), new TokenAmount(100_000));

    /// <summary>The gas limit for a message with <paramref name="paramsLength"/> bytes of params.</summary>
    public long LimitFor(int paramsLength) => Math.Min(BlockGasLimit, 38_863 + BaseGas + (GasPerParamsByte * paramsLength));

    /// <summary>The message with gas limit, fee cap and premium set.</summary>
    public Message Apply(Message message) => message with
    {
        GasLimit = LimitFor(message.Params.Length),
        GasFeeCap = FeeCap,
        GasPremium = Premium,
    };

    /// <summary>The most a message may cost in gas (what the sender's balance must cover besides the value).</summary>
    public TokenAmount MaxCost(int paramsLength) => new(LimitFor(paramsLength) * FeeCap.AttoFil);
}
