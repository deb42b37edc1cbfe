using System.Numerics;
using Granary.Chain;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Model;
using Granary.Filecoin;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Tokens;
using Granary.Grains.Placement;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Granary.Grains.Miner;

/// <inheritdoc cref="IMinerGrain" />
/// <remarks>
/// Reentrant, so a call waiting for its message to land does not hold up other calls: the short critical part
/// (choose the nonce, sign, push, persist) runs one call at a time behind a gate, the wait does not. The nonce is
/// the larger of the chain's (<c>MpoolGetNonce</c>, which counts pooled messages) and one past the last this grain
/// pushed. Pending messages no live call is waiting for are re-checked at the start of each call: landed ones are
/// recorded, and ones the node no longer knows (its next nonce is not past theirs) are dropped so their nonce is
/// reused. The mirror is read on first use, on request, after a message that changes the info lands, and after
/// any failed message (a stale worker is the usual cause).
/// </remarks>
[RequiresSubsystem(Subsystem.Mining)]
[Reentrant]
public sealed partial class MinerGrain(
    [PersistentState("miner", GrainStorage.Name)] IPersistentState<MinerGrainState> state,
    IChainNode chain,
    IMinerKeys keys,
    IOptions<MinerGrainOptions> options,
    ILocalSiloDetails silo,
    ILogger<MinerGrain> logger) : Grain, IMinerGrain
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);
    private readonly MinerGrainOptions _options = options.Value;

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        DeactivationLog.Deactivating(logger, $"miner {this.GetPrimaryKeyString()}: the miner grain", silo.Name, reason);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<MinerSnapshot> GetInfo(bool refresh)
    {
        var miner = MinerAddress();
        await RecheckPendingAsync(miner);
        if (refresh || state.State.Info is null)
        {
            await RefreshAsync(miner);
        }

        return new MinerSnapshot(Text(miner), state.State.Info!, state.State.NextNonce, [.. state.State.Pending], silo.Name);
    }

    /// <inheritdoc />
    public Task<MinerReceipt> SetPeerId(byte[] peerId)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        if (peerId.Length is 0 or > MinerAddressLimits.MaxPeerIdBytes)
        {
            throw new MinerException($"a peer id is 1 to {MinerAddressLimits.MaxPeerIdBytes} bytes (a multihash), not {peerId.Length}");
        }

        return Send(MinerMethods.ChangePeerId, new ChangePeerIdParams(peerId).ToCbor(), BigInteger.Zero);
    }

    /// <inheritdoc />
    public Task<MinerReceipt> SetMultiaddrs(byte[][] multiaddrs)
    {
        ArgumentNullException.ThrowIfNull(multiaddrs);
        if (multiaddrs.Any(m => m is null || m.Length == 0) || multiaddrs.Sum(m => m.Length) > MinerAddressLimits.MaxMultiaddrBytes)
        {
            throw new MinerException($"multiaddrs must be non-empty and at most {MinerAddressLimits.MaxMultiaddrBytes} bytes together");
        }

        return Send(MinerMethods.ChangeMultiaddrs, new ChangeMultiaddrsParams(multiaddrs).ToCbor(), BigInteger.Zero);
    }

    /// <inheritdoc />
    public async Task<MinerReceipt> Send(ulong method, byte[] parameters, BigInteger valueAttoFil)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var miner = MinerAddress();
        if (parameters.Length > Message.MaxParamsBytes || valueAttoFil.Sign < 0)
        {
            throw new MinerException($"{MinerMethods.Name(method)}: params are at most {Message.MaxParamsBytes} bytes and the value is not negative");
        }

        await RecheckPendingAsync(miner);
        var info = state.State.Info ?? await RefreshAsync(miner);
        var worker = Address.Parse(info.WorkerKey);
        var key = keys.Find(worker) ?? throw new MinerException(
            $"silo {silo.Name} has no key for miner {Text(miner)}'s worker {info.WorkerKey} ({info.Worker}) in {keys.Source}; "
            + "run the mining subsystem on the silo whose repo `granary init` made, or copy its keystore/wallet-worker there");

        var pending = await PushAsync(miner, miner, worker, key, method, parameters, valueAttoFil, null);
        MessageLookup lookup;
        try
        {
            lookup = await WaitAsync(miner, pending);
        }
        finally
        {
            _waiting.Remove(pending.Message);
        }

        var receipt = await LandedAsync(miner, pending, lookup);
        if (receipt.ExitCode != 0)
        {
            throw new MinerMessageFailedException(Text(miner), method, receipt.ExitCode, receipt.Message, receipt.Height);
        }

        return receipt;
    }

    private async Task<PendingMinerMessage> PushAsync(Address miner, Address to, Address worker, byte[] key, ulong method, byte[] parameters, BigInteger value,
        string? pushKey)
    {
        var what = $"miner {Text(miner)} {MinerMethods.Name(method)}";
        await _gate.WaitAsync();
        try
        {
            if (pushKey is not null && state.State.Keyed.Find(k => k.Key == pushKey) is { } known)
            {
                return known.Message;
            }

            if (state.State.Pending.Count >= _options.MaxPending)
            {
                throw new MinerException($"{what}: {state.State.Pending.Count} messages are still pending (the limit is {_options.MaxPending}); "
                    + "wait for them to land: " + string.Join(", ", state.State.Pending.Select(p => p.Message)));
            }

            var chainNonce = await Chain(what, () => chain.MpoolGetNonce(worker));
            var nonce = Math.Max(chainNonce, state.State.NextNonce);
            var message = _options.Gas.Apply(new Message(0, to, worker, nonce, new TokenAmount(value), 0,
                TokenAmount.Zero, TokenAmount.Zero, method, parameters));
            var signed = SignedMessage.SignSecp256k1(message, key);
            var cid = await Chain(what, () => chain.MpoolPush(signed));
            var pending = new PendingMinerMessage(cid.ToString(), method, nonce, Text(worker), DateTimeOffset.UtcNow);
            if (pushKey is null)
            {
                _waiting.Add(pending.Message); // Send waits for it; a keyed push is followed by CheckMessage, or re-checked
            }

            state.State.NextNonce = nonce + 1;
            state.State.Pending.Add(pending);
            if (pushKey is not null)
            {
                state.State.Keyed.Add(new KeyedMinerMessage(pushKey, pending));
                if (state.State.Keyed.Count > MaxKeyedMessages)
                {
                    state.State.Keyed.RemoveAt(0);
                }
            }

            await state.WriteStateAsync();
            LogPushed(Text(miner), MinerMethods.Name(method), pending.Message, nonce);
            return pending;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<MessageLookup> WaitAsync(Address miner, PendingMinerMessage pending)
    {
        var timeout = _options.MessageTimeout < MinerGrainOptions.MaxMessageTimeout ? _options.MessageTimeout : MinerGrainOptions.MaxMessageTimeout;
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            return await Chain($"waiting for {pending.Message}", () => chain.StateWaitMsg(Cid.Parse(pending.Message), _options.Confidence, cancel.Token));
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            LogTimedOut(Text(miner), MinerMethods.Name(pending.Method), pending.Message, timeout.TotalSeconds);
            throw new MinerMessageTimeoutException(Text(miner), pending.Method, pending.Message, timeout);
        }
    }

    // Records a landed message (idempotent: a re-check may have seen it first) and refreshes the mirror if needed.
    private async Task<MinerReceipt> LandedAsync(Address miner, PendingMinerMessage pending, MessageLookup lookup)
    {
        var receipt = new MinerReceipt(pending.Message, pending.Method, pending.Nonce, lookup.Receipt.ExitCode, lookup.Receipt.Return,
            lookup.Receipt.GasUsed, lookup.Height);
        await _gate.WaitAsync();
        try
        {
            if (state.State.Pending.RemoveAll(p => p.Message == pending.Message) > 0)
            {
                await state.WriteStateAsync();
            }
        }
        finally
        {
            _gate.Release();
        }

        LogLanded(Text(miner), MinerMethods.Name(pending.Method), pending.Message, lookup.Height, lookup.Receipt.ExitCode);
        if (receipt.ExitCode != 0 || ChangesInfo(pending.Method))
        {
            await RefreshAsync(miner);
        }

        return receipt;
    }

    private async Task RecheckPendingAsync(Address miner)
    {
        var orphans = state.State.Pending.Where(p => !_waiting.Contains(p.Message)).ToList();
        if (orphans.Count == 0)
        {
            return;
        }

        var checks = await Task.WhenAll(orphans.Select(CheckAsync));
        var refresh = false;
        var changed = false;
        await _gate.WaitAsync();
        try
        {
            foreach (var (pending, lookup, nextNonce) in checks)
            {
                if (lookup is not null)
                {
                    changed |= state.State.Pending.RemoveAll(p => p.Message == pending.Message) > 0;
                    LogLanded(Text(miner), MinerMethods.Name(pending.Method), pending.Message, lookup.Height, lookup.Receipt.ExitCode);
                    refresh |= lookup.Receipt.ExitCode != 0 || ChangesInfo(pending.Method);
                }
                else if (nextNonce is { } next && next <= pending.Nonce)
                {
                    // Neither on chain nor in the node's pool: it was dropped, and its nonce must be used again.
                    changed |= state.State.Pending.RemoveAll(p => p.Message == pending.Message) > 0;
                    state.State.Keyed.RemoveAll(k => k.Message.Message == pending.Message);
                    state.State.NextNonce = Math.Min(state.State.NextNonce, next);
                    LogDropped(Text(miner), MinerMethods.Name(pending.Method), pending.Message, pending.Nonce, next);
                }
            }

            if (changed)
            {
                await state.WriteStateAsync();
            }
        }
        finally
        {
            _gate.Release();
        }

        if (refresh)
        {
            await RefreshAsync(miner);
        }
    }

    // A pending message's fate: landed (its lookup), or still unseen with the sender's next nonce on the node.
    private async Task<(PendingMinerMessage Pending, MessageLookup? Lookup, ulong? NextNonce)> CheckAsync(PendingMinerMessage pending)
    {
        using var cancel = new CancellationTokenSource(_options.PendingCheckTimeout);
        try
        {
            var lookup = await chain.StateWaitMsg(Cid.Parse(pending.Message), _options.Confidence, cancel.Token);
            return (pending, lookup, null);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // not landed yet
        }
        catch (ChainException e)
        {
            LogCheckFailed(pending.Message, e.Message);
            return (pending, null, null);
        }

        try
        {
            return (pending, null, await chain.MpoolGetNonce(Address.Parse(pending.From)));
        }
        catch (ChainException e)
        {
            LogCheckFailed(pending.Message, e.Message);
            return (pending, null, null);
        }
    }

    private async Task<MinerInfoMirror> RefreshAsync(Address miner)
    {
        var what = $"reading miner {Text(miner)}";
        var head = await Chain(what, () => chain.ChainHead());
        var info = await Chain(what, () => chain.StateMinerInfo(miner, head.Key));
        var power = await Chain(what, () => chain.StateMinerPower(miner, head.Key));
        var ownerKey = await KeyAddressAsync(what, info.Owner, head.Key);
        var workerKey = info.Worker == info.Owner ? ownerKey : await KeyAddressAsync(what, info.Worker, head.Key);
        // Arrays, not collection expressions: the state's JSON names the list types, and the compiler's own
        // list types cannot be read back when the grain activates again.
        var mirror = new MinerInfoMirror(
            Text(info.Owner), Text(ownerKey), Text(info.Worker), Text(workerKey), info.ControlAddresses.Select(Text).ToArray(),
            info.PeerId, info.Multiaddrs.ToArray(), info.SectorSize, info.WindowPoStPartitionSectors, info.WindowPoStProofType,
            power.Miner.RawBytePower, power.Miner.QualityAdjPower, power.Total.RawBytePower, power.Total.QualityAdjPower,
            head.Height, DateTimeOffset.UtcNow);
        await _gate.WaitAsync();
        try
        {
            state.State.Info = mirror;
            await state.WriteStateAsync();
        }
        finally
        {
            _gate.Release();
        }

        return mirror;
    }

    private async Task<Address> KeyAddressAsync(string what, Address address, TipSetKey tipSet) =>
        address.Protocol is AddressProtocol.Secp256k1 or AddressProtocol.Bls ? address
            : await Chain(what, () => chain.StateAccountKey(address, tipSet));

    private Address MinerAddress()
    {
        var key = this.GetPrimaryKeyString();
        try
        {
            var address = Address.Parse(key);
            return address.Protocol is AddressProtocol.Id or AddressProtocol.Actor ? address
                : throw new MinerException($"'{key}' is a {address.Protocol} address; a miner is an actor (t0… or t2…)");
        }
        catch (FilecoinFormatException e)
        {
            throw new MinerException($"'{key}' is not a miner address: {e.Message}");
        }
    }

    private string Text(Address address) => address.ToString(_options.AddressNetwork);

    // Methods whose success changes what StateMinerInfo answers.
    private static bool ChangesInfo(ulong method) => method is MinerMethods.ChangeWorkerAddress or MinerMethods.ChangePeerId
        or MinerMethods.ChangeMultiaddrs or MinerMethods.ConfirmChangeWorkerAddress or MinerMethods.ChangeOwnerAddress;

    // The chain's refusals become the grain's, with what was being done; they keep the chain's reason.
    private static async Task<T> Chain<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ChainUnavailableException e)
        {
            throw new MinerException($"{what}: the chain node is unavailable: {e.Message}");
        }
        catch (ChainException e)
        {
            throw new MinerException($"{what}: {e.Message}");
        }
    }
}
