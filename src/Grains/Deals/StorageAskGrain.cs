using Granary.Chain;
using Granary.Filecoin;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Grains.Miner;
using Granary.Grains.Placement;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Deals;

/// <inheritdoc cref="IStorageAskGrain" />
/// <remarks>
/// On the mining subsystem because the worker key lives there: a gateway never holds it. The signature is made at
/// each signed read (secp256k1 signing is deterministic, so the same ask gets the same signature), with the worker
/// the miner grain's mirror names, so a changed worker signs from then on.
/// </remarks>
[RequiresSubsystem(Subsystem.Mining)]
public sealed partial class StorageAskGrain(
    [PersistentState("storage-ask", GrainStorage.Name)] IPersistentState<StorageAskState> state,
    IChainNode chain,
    IMinerKeys keys,
    ILogger<StorageAskGrain> logger) : Grain, IStorageAskGrain
{
    /// <summary>Longest validity accepted for an ask, in epochs (about ten years at 30 s).</summary>
    public const long MaxDuration = 10L * 365 * 2880;

    /// <inheritdoc />
    public async Task<StorageAsk> GetAsk()
    {
        if (state.State.Ask is { } ask)
        {
            return ask;
        }

        // The default is fixed at its first read, so its timestamp and expiry do not move between reads.
        var head = await HeadAsync();
        var first = Make(AskSettings.Default, head, 0);
        state.State.Ask = first;
        await state.WriteStateAsync();
        return first;
    }

    /// <inheritdoc />
    public async Task<SignedAsk> GetSignedAsk() => await SignAsync(await GetAsk());

    /// <inheritdoc />
    public async Task<SignedAsk> SetAsk(AskSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Validate(settings);
        var head = await HeadAsync();
        var previous = state.State.Ask;
        var ask = Make(settings, head, previous is null ? 0 : previous.SeqNo + 1);
        var signed = await SignAsync(ask);
        state.State.Ask = ask;
        await state.WriteStateAsync();
        LogSet(ask.Miner, ask.SeqNo, ask.Price.ToString(), ask.VerifiedPrice.ToString(), ask.MinPieceSize, ask.MaxPieceSize, ask.Expiry);
        return signed;
    }

    /// <summary>Checks ask settings (lotus's <c>MarketSetAsk</c> rules).</summary>
    /// <exception cref="DealmakingException">Which setting is wrong.</exception>
    public static void Validate(AskSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Price.Sign < 0 || settings.VerifiedPrice.Sign < 0)
        {
            throw new DealmakingException("the ask's prices cannot be negative");
        }

        if (settings.Duration is <= 0 or > MaxDuration)
        {
            throw new DealmakingException($"the ask's duration must be 1 to {MaxDuration} epochs, not {settings.Duration}");
        }

        if (!PaddedPieceSize.IsValid(settings.MinPieceSize) || !PaddedPieceSize.IsValid(settings.MaxPieceSize))
        {
            throw new DealmakingException($"piece sizes must be powers of two from {PaddedPieceSize.Min} B to {PaddedPieceSize.Max} B "
                + $"(min {settings.MinPieceSize}, max {settings.MaxPieceSize})");
        }

        if (settings.MinPieceSize > settings.MaxPieceSize)
        {
            throw new DealmakingException($"the minimum piece size {settings.MinPieceSize} is larger than the maximum {settings.MaxPieceSize}");
        }
    }

    private StorageAsk Make(AskSettings settings, long head, ulong seqNo) =>
        new(settings.Price, settings.VerifiedPrice, settings.MinPieceSize, settings.MaxPieceSize, MinerText(), head, head + settings.Duration, seqNo);

    private async Task<SignedAsk> SignAsync(StorageAsk ask)
    {
        MinerSnapshot miner;
        try
        {
            miner = await GrainFactory.GetGrain<IMinerGrain>(ask.Miner).GetInfo(false);
        }
        catch (MinerException e)
        {
            throw new DealmakingException($"cannot sign the ask of {ask.Miner}: {e.Message}");
        }

        var worker = Address.Parse(miner.Info.WorkerKey);
        var key = keys.Find(worker) ?? throw new DealmakingException(
            $"cannot sign the ask of {ask.Miner}: this silo has no key for the worker {miner.Info.WorkerKey} in {keys.Source}");
        return new SignedAsk(ask, Secp256k1.Sign(key, ask.ToCbor()).ToBytes(), miner.Info.WorkerKey);
    }

    private async Task<long> HeadAsync()
    {
        try
        {
            return (await chain.ChainHead()).Height;
        }
        catch (ChainException e)
        {
            throw new DealmakingException($"the ask of {MinerText()}: the chain cannot be reached: {e.Message}");
        }
    }

    private string MinerText()
    {
        var key = this.GetPrimaryKeyString();
        try
        {
            var address = Address.Parse(key);
            return address.Protocol is AddressProtocol.Id or AddressProtocol.Actor ? key
                : throw new DealmakingException($"'{key}' is a {address.Protocol} address; a miner is an actor (t0… or t2…)");
        }
        catch (FilecoinFormatException e)
        {
            throw new DealmakingException($"'{key}' is not a miner address: {e.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "miner {Miner}: storage ask {SeqNo} set: price {Price}, verified price {VerifiedPrice} attoFIL/GiB/epoch, pieces {Min} to {Max} bytes, expires at epoch {Expiry}")]
    private partial void LogSet(string miner, ulong seqNo, string price, string verifiedPrice, long min, long max, long expiry);
}
