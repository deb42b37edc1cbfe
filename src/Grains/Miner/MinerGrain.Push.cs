using System.Numerics;
using Granary.Chain;
using Granary.Chain.Model;
using Granary.Filecoin;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;

namespace Granary.Grains.Miner;

// Push without waiting, and checking a pushed message: for callers that persist what they sent (the deal publisher, the
// deadline grains).
public sealed partial class MinerGrain
{
    /// <summary>Most keyed messages remembered (the oldest key is forgotten first).</summary>
    public const int MaxKeyedMessages = 256;

    /// <summary>Longest <see cref="CheckMessage"/> waits.</summary>
    public static readonly TimeSpan MaxCheckWait = TimeSpan.FromMinutes(1);

    /// <inheritdoc />
    public async Task<PendingMinerMessage> Push(string key, string to, ulong method, byte[] parameters, BigInteger valueAttoFil)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentException.ThrowIfNullOrEmpty(to);
        ArgumentNullException.ThrowIfNull(parameters);
        var miner = MinerAddress();
        Address target;
        try
        {
            target = Address.Parse(to);
        }
        catch (FilecoinFormatException e)
        {
            throw new MinerException($"'{to}' is not an address: {e.Message}");
        }

        if (parameters.Length > Message.MaxParamsBytes || valueAttoFil.Sign < 0)
        {
            throw new MinerException($"method {method} to {to}: params are at most {Message.MaxParamsBytes} bytes and the value is not negative");
        }

        await RecheckPendingAsync(miner);
        if (state.State.Keyed.Find(k => k.Key == key) is { } known)
        {
            return known.Message;
        }

        var info = state.State.Info ?? await RefreshAsync(miner);
        var worker = Address.Parse(info.WorkerKey);
        var signingKey = keys.Find(worker) ?? throw new MinerException(
            $"silo {silo.Name} has no key for miner {Text(miner)}'s worker {info.WorkerKey} ({info.Worker}) in {keys.Source}; "
            + "run the mining subsystem on the silo whose repo `granary init` made, or copy its keystore/wallet-worker there");
        return await PushAsync(miner, target, worker, signingKey, method, parameters, valueAttoFil, key);
    }

    /// <inheritdoc />
    public async Task<MinerMessageStatus> CheckMessage(string message, TimeSpan wait)
    {
        ArgumentException.ThrowIfNullOrEmpty(message);
        var miner = MinerAddress();
        Cid cid;
        try
        {
            cid = Cid.Parse(message);
        }
        catch (FilecoinFormatException e)
        {
            throw new MinerException($"'{message}' is not a message CID: {e.Message}");
        }

        var pending = state.State.Pending.Find(p => p.Message == message);
        var known = pending ?? state.State.Keyed.Find(k => k.Message.Message == message)?.Message;
        // While this call waits for it, other calls leave it to this one; once no call follows it, they re-check it.
        var following = _waiting.Add(message);
        MessageLookup? lookup;
        try
        {
            lookup = await LookupAsync(cid, wait < MaxCheckWait ? (wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1)) : MaxCheckWait);
        }
        finally
        {
            if (following)
            {
                _waiting.Remove(message);
            }
        }

        if (lookup is not null)
        {
            if (known is not null)
            {
                return new MinerMessageStatus(message, MinerMessageFate.Landed, await LandedAsync(miner, known, lookup));
            }

            return new MinerMessageStatus(message, MinerMessageFate.Landed, new MinerReceipt(message, 0, 0, lookup.Receipt.ExitCode,
                lookup.Receipt.Return, lookup.Receipt.GasUsed, lookup.Height));
        }

        if (known is null)
        {
            return new MinerMessageStatus(message, MinerMessageFate.Dropped, null);
        }

        var next = await Chain($"checking {message}", () => chain.MpoolGetNonce(Address.Parse(known.From)));
        if (next > known.Nonce && pending is not null)
        {
            return new MinerMessageStatus(message, MinerMessageFate.Pending, null); // the node counts it: in its pool
        }

        await _gate.WaitAsync();
        try
        {
            var removed = state.State.Pending.RemoveAll(p => p.Message == message) + state.State.Keyed.RemoveAll(k => k.Message.Message == message);
            if (next <= known.Nonce)
            {
                state.State.NextNonce = Math.Min(state.State.NextNonce, next);
            }

            if (removed > 0)
            {
                await state.WriteStateAsync();
            }
        }
        finally
        {
            _gate.Release();
        }

        LogDropped(Text(miner), MinerMethods.Name(known.Method), message, known.Nonce, next);
        return new MinerMessageStatus(message, MinerMessageFate.Dropped, null);
    }

    private async Task<MessageLookup?> LookupAsync(Cid message, TimeSpan wait)
    {
        using var cancel = new CancellationTokenSource(wait);
        try
        {
            return await chain.StateWaitMsg(message, _options.Confidence, cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return null;
        }
        catch (ChainUnavailableException e)
        {
            throw new MinerException($"checking {message}: the chain node is unavailable: {e.Message}");
        }
        catch (ChainException e)
        {
            throw new MinerException($"checking {message}: {e.Message}");
        }
    }
}
