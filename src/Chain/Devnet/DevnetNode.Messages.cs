using System.Numerics;
using Granary.Chain.Devnet.Execution;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet;

// The message pool and the wallet.
public sealed partial class DevnetNode
{
    /// <summary>
    /// Largest signed message accepted: the params limit of <see cref="Message"/> (Filecoin's 64 KiB) plus room for
    /// the other fields. The devnet's vanilla seal proofs for 8 MiB sectors (~109 KB) need a higher params limit.
    /// </summary>
    public const int MaxMessageBytes = Message.MaxParamsBytes + 1024;

    private static readonly BigInteger TotalSupply = 2_000_000_000 * TokenAmount.AttoPerFil;

    /// <inheritdoc />
    /// <remarks>
    /// Checked before acceptance: shape (version 0, 0 &lt; GasLimit ≤ block gas limit, fee cap ≥ base fee ≥ 0,
    /// premium ≤ fee cap, 0 ≤ value ≤ supply, at most <see cref="MaxMessageBytes"/>), a secp256k1 signature by
    /// the sender (BLS is refused), the nonce is the sender's next counting pending messages, and the sender's
    /// balance less what its pending messages reserve covers Value + GasLimit × GasFeeCap.
    /// </remarks>
    public Task<Cid> MpoolPush(SignedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        var prepared = Prepare(message);
        lock (_gate)
        {
            ThrowIfUnusable();
            prepared = prepared with { Signer = SignerOf(message.Message.From) };
        }

        Verify(prepared); // the expensive part, outside the lock so pushes verify in parallel
        lock (_gate)
        {
            ThrowIfUnusable();
            Admit(prepared, seq: null);
        }

        return Task.FromResult(prepared.Cid);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Gas: an unset limit is the devnet's gas for the method (<see cref="GasSchedule"/>) plus 25%, as Lotus
    /// overestimates; an unset premium is <see cref="GasSchedule.DefaultGasPremium"/>; an unset fee cap is base fee
    /// + premium; a <see cref="MessageSendSpec.MaxFee"/> caps GasLimit × GasFeeCap.
    /// </remarks>
    public Task<SignedMessage> MpoolPushMessage(Message message, MessageSendSpec? spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        if (message.Nonce != 0)
        {
            throw new ChainException($"MpoolPushMessage fills in the nonce; the message must have nonce 0, not {message.Nonce}");
        }

        lock (_gate)
        {
            ThrowIfUnusable();
            var signer = SignerOf(message.From);
            var key = _wallet.KeyOf(signer) ?? throw new ChainException($"{message.From} is not in the devnet node's wallet");
            var gasLimit = message.GasLimit > 0 ? message.GasLimit
                : GasSchedule.GasFor(_tree.Find(message.To)?.Code ?? ActorCode.Account, message.Method, message.Params.Length) * 5 / 4;
            var premium = message.GasPremium > TokenAmount.Zero ? message.GasPremium.AttoFil : GasSchedule.DefaultGasPremium;
            var feeCap = message.GasFeeCap > TokenAmount.Zero ? message.GasFeeCap.AttoFil : GasSchedule.BaseFee + premium;
            premium = BigInteger.Min(premium, feeCap);
            if (spec is { MaxFee.AttoFil.Sign: > 0 } && gasLimit * feeCap > spec.MaxFee.AttoFil)
            {
                feeCap = spec.MaxFee.AttoFil / gasLimit;
                premium = BigInteger.Min(premium, feeCap);
            }

            var nonce = _tree.Find(message.From) is { } sender ? _pool.NextNonce(sender.Id, sender.Nonce) : 0;
            var filled = message with { Version = 0, Nonce = nonce, GasLimit = gasLimit, GasFeeCap = new(feeCap), GasPremium = new(premium) };
            var signed = SignedMessage.SignSecp256k1(filled, key);
            Admit(Prepare(signed) with { Signer = signer }, seq: null);
            return Task.FromResult(signed);
        }
    }

    /// <inheritdoc />
    public Task<ulong> MpoolGetNonce(Address address, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfUnusable();
            return Task.FromResult(_tree.Find(address) is { } actor ? _pool.NextNonce(actor.Id, actor.Nonce) : 0UL);
        }
    }

    /// <inheritdoc />
    public Task<Address> WalletNew(WalletKeyType type, CancellationToken cancellationToken = default)
    {
        if (type != WalletKeyType.Secp256k1)
        {
            throw new ChainException($"the devnet wallet makes secp256k1 keys only, not {type}");
        }

        lock (_gate)
        {
            ThrowIfUnusable();
            return Task.FromResult(_wallet.New());
        }
    }

    /// <inheritdoc />
    public Task<TokenAmount> WalletBalance(Address address, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfUnusable();
            return Task.FromResult(_tree.Find(address) is { } actor ? new TokenAmount(actor.Balance) : TokenAmount.Zero);
        }
    }

    /// <inheritdoc />
    public Task<Signature> WalletSign(Address address, byte[] data, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfUnusable();
            var key = _wallet.KeyOf(SignerOf(address)) ?? throw new ChainException($"{address} is not in the devnet node's wallet");
            return Task.FromResult(Secp256k1.Sign(key, data));
        }
    }

    /// <inheritdoc />
    public Task<bool> WalletVerify(Address address, byte[] data, Signature signature, CancellationToken cancellationToken = default)
    {
        Address signer;
        lock (_gate)
        {
            ThrowIfUnusable();
            signer = SignerOf(address);
        }

        try
        {
            return Task.FromResult(Secp256k1.Verify(signature, data, signer));
        }
        catch (UnsupportedSignatureTypeException e)
        {
            throw new ChainException(e.Message, e);
        }
    }

    // The f1 key address that signs for an address (an account's id resolves to its key).
    private Address SignerOf(Address address)
    {
        if (address.Protocol == AddressProtocol.Id)
        {
            return _tree.KeyOf(address.Id) ?? throw new ChainException($"{address} is not a secp256k1 account the devnet knows");
        }

        return address.Protocol == AddressProtocol.Secp256k1 ? address
            : throw new ChainException($"{address} cannot sign: the devnet supports secp256k1 (f1) accounts only");
    }

    // Shape checks that need no state, and the CIDs.
    private static PreparedMessage Prepare(SignedMessage signed)
    {
        var m = signed.Message;
        if (signed.Signature.Type != SignatureType.Secp256k1)
        {
            var unsupported = new UnsupportedSignatureTypeException(signed.Signature.Type);
            throw new ChainException($"message refused: {unsupported.Message}", unsupported);
        }

        var problem = m switch
        {
            { Version: not 0 } => $"unsupported message version {m.Version}",
            { GasLimit: <= 0 } => $"gas limit {m.GasLimit} must be positive",
            { GasLimit: > GasSchedule.BlockGasLimit } => $"gas limit {m.GasLimit} is over the block gas limit {GasSchedule.BlockGasLimit}",
            _ when m.GasFeeCap.AttoFil < GasSchedule.BaseFee => $"gas fee cap {m.GasFeeCap.AttoFil} is below the base fee {GasSchedule.BaseFee}",
            _ when m.GasPremium.AttoFil.Sign < 0 || m.GasPremium > m.GasFeeCap => $"gas premium {m.GasPremium.AttoFil} must be between 0 and the fee cap {m.GasFeeCap.AttoFil}",
            _ when m.Value.AttoFil.Sign < 0 || m.Value.AttoFil > TotalSupply => $"value {m.Value} is negative or more than the supply",
            _ => null,
        };
        if (problem is not null)
        {
            throw new ChainException($"message refused: {problem}");
        }

        var bytes = signed.ToCbor();
        if (bytes.Length > MaxMessageBytes)
        {
            throw new ChainException($"message refused: {bytes.Length} bytes is more than {MaxMessageBytes}");
        }

        return new PreparedMessage(signed, bytes, DagCbor.CidOf(bytes), m.Cid(), m.From);
    }

    private static void Verify(PreparedMessage message)
    {
        if (!Secp256k1.Verify(message.Signed.Signature, message.MessageCid.ToBytes(), message.Signer))
        {
            throw new ChainException($"message refused: the signature is not {message.Signed.Message.From}'s");
        }
    }

    // State checks and acceptance; with the gate held. A restored message keeps its sequence number.
    private void Admit(PreparedMessage message, long? seq)
    {
        var m = message.Signed.Message;
        if (_pool.Contains(message.Cid))
        {
            throw new ChainException($"message {message.Cid} is already pending");
        }

        var sender = _tree.Find(m.From);
        if (sender is not { Code: ActorCode.Account })
        {
            throw new ChainException($"message refused: sender {m.From} is not an account on chain (it has no funds)");
        }

        var expected = _pool.NextNonce(sender.Id, sender.Nonce);
        if (m.Nonce != expected)
        {
            throw new ChainException(m.Nonce < expected
                ? $"message refused: nonce {m.Nonce} is too low, {m.From}'s next nonce is {expected}"
                : $"message refused: nonce {m.Nonce} leaves a gap, {m.From}'s next nonce is {expected}");
        }

        var cost = m.Value.AttoFil + (m.GasLimit * m.GasFeeCap.AttoFil);
        var available = sender.Balance - _pool.Reserved(sender.Id);
        if (available < cost)
        {
            throw new ChainException($"message refused: insufficient balance: {m.From} has {new TokenAmount(available)} available, the message needs up to {new TokenAmount(cost)}");
        }

        _pool.CheckRoom(sender.Id);
        var stored = seq ?? _store.AddPending(message.Cid, message.Bytes);
        _pool.Add(new PendingMessage(stored, message.Cid, message.MessageCid, message.Signed, message.Bytes, sender.Id, cost));
    }

    private sealed record PreparedMessage(SignedMessage Signed, byte[] Bytes, Cid Cid, Cid MessageCid, Address Signer);
}
