using System.Numerics;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Devnet.Market;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;

namespace Granary.Chain.Devnet.Execution;

/// <summary>
/// Applies one message to the state as Filecoin's VM does: the sender's nonce must be next and its balance must
/// cover GasLimit × GasFeeCap (otherwise the message cannot be included: null); then the nonce is spent and gas
/// charged whatever happens; the value moves and the method runs; if the method fails its changes are undone
/// and the receipt carries the exit code. Sending to an unknown f1 address creates its account.
/// </summary>
internal sealed class MessageExecutor(StateTree tree, ChainPolicy policy, DevnetRandomness randomness)
{
    /// <summary>What the block's messages paid in tips so far (to the epoch's winner).</summary>
    public BigInteger Tips { get; set; }

    /// <summary>Applies <paramref name="message"/> in <paramref name="epoch"/>; null if it cannot be included (with why).</summary>
    public MessageReceipt? Apply(Message message, long epoch, out string? dropReason)
    {
        dropReason = null;
        if (tree.Find(message.From) is not { Code: ActorCode.Account } sender)
        {
            dropReason = $"sender {message.From} is not an account";
            return null;
        }

        if (message.Nonce != sender.Nonce)
        {
            dropReason = $"nonce {message.Nonce} is not the sender's next ({sender.Nonce})";
            return null;
        }

        var reserve = message.GasLimit * message.GasFeeCap.AttoFil;
        if (sender.Balance < reserve)
        {
            dropReason = "the sender cannot pay for gas";
            return null;
        }

        // Never undone: the nonce and the gas reservation.
        sender.Nonce++;
        sender.Balance -= reserve;
        tree.Dirty.Add(sender.Id);
        tree.Journal.Clear();

        var receiver = tree.Find(message.To);
        var gas = GasSchedule.GasFor(receiver?.Code ?? ActorCode.Account, message.Method, message.Params.Length);
        long exit;
        byte[] returned = [];
        if (gas > message.GasLimit)
        {
            exit = (long)ExitCode.SysErrOutOfGas;
            gas = message.GasLimit;
        }
        else
        {
            try
            {
                returned = Invoke(message, sender, receiver, epoch);
                exit = 0;
            }
            catch (ActorException e)
            {
                tree.Journal.RevertTo(0);
                exit = (long)e.ExitCode;
            }
        }

        tree.Journal.Clear();
        var burn = gas * GasSchedule.BaseFee;
        var tip = message.GasLimit * BigInteger.Max(BigInteger.Zero, BigInteger.Min(message.GasPremium.AttoFil, message.GasFeeCap.AttoFil - GasSchedule.BaseFee));
        sender.Balance += reserve - burn - tip;
        var burnt = tree.Get(SystemActors.BurntFunds);
        burnt.Balance += burn;
        tree.Dirty.Add(burnt.Id);
        Tips += tip;
        return new MessageReceipt(exit, returned, gas);
    }

    private byte[] Invoke(Message message, ActorRecord sender, ActorRecord? receiver, long epoch)
    {
        if (receiver is null)
        {
            receiver = message.To.Protocol == AddressProtocol.Secp256k1
                ? tree.Create(ActorCode.Account, message.To)
                : throw new ActorException(ExitCode.SysErrInvalidReceiver, $"{message.To} does not exist (only f1 accounts are created by a send)");
        }

        tree.Transfer(sender, receiver, message.Value.AttoFil);
        if (message.Method == ActorMethods.Send)
        {
            return [];
        }

        var ctx = new CallContext
        {
            Tree = tree,
            Policy = policy,
            Epoch = epoch,
            Caller = sender,
            Receiver = receiver,
            Value = message.Value.AttoFil,
            Params = message.Params,
            MessageNonce = message.Nonce,
            Randomness = randomness,
        };
        return receiver.Code switch
        {
            ActorCode.Power => PowerActor.Invoke(ctx, message.Method),
            ActorCode.Market => MarketActor.Invoke(ctx, message.Method),
            ActorCode.Miner => MinerActor.Invoke(ctx, message.Method),
            _ => throw new ActorException(ActorMethods.UnhandledMessage, $"{receiver.Code} actor {receiver.IdAddress} has no method {message.Method}"),
        };
    }
}
