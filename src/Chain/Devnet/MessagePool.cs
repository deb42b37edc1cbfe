using System.Numerics;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;

namespace Granary.Chain.Devnet;

/// <summary>A message waiting for a block: its pool sequence number, CIDs, sender id and what it may cost.</summary>
internal sealed record PendingMessage(long Seq, Cid Cid, Cid MessageCid, SignedMessage Signed, byte[] Bytes, ulong SenderId, BigInteger MaxCost);

/// <summary>
/// Pending messages in arrival order (which is nonce order per sender, as a nonce must be the next one). Each
/// sender's pending messages reserve Value + GasLimit × GasFeeCap of its balance, so everything accepted can
/// be paid for when it lands. No replace-by-fee: a nonce already pending is refused.
/// </summary>
internal sealed class MessagePool(int maxPerSender, int maxTotal)
{
    private readonly LinkedList<PendingMessage> _queue = new();
    private readonly Dictionary<Cid, PendingMessage> _byCid = [];
    private readonly Dictionary<ulong, Sender> _senders = [];

    public int Count => _queue.Count;

    public bool Contains(Cid cid) => _byCid.ContainsKey(cid);

    /// <summary>The next nonce for a sender whose actor nonce is <paramref name="actorNonce"/>.</summary>
    public ulong NextNonce(ulong senderId, ulong actorNonce) =>
        _senders.TryGetValue(senderId, out var s) && s.Count > 0 ? s.LastNonce + 1 : actorNonce;

    /// <summary>What the sender's pending messages reserve.</summary>
    public BigInteger Reserved(ulong senderId) => _senders.TryGetValue(senderId, out var s) ? s.Reserved : BigInteger.Zero;

    /// <summary>Refuses if the pool or the sender's share of it is full.</summary>
    public void CheckRoom(ulong senderId)
    {
        if (_queue.Count >= maxTotal)
        {
            throw new ChainException($"message pool is full ({maxTotal} messages)");
        }

        if (_senders.TryGetValue(senderId, out var s) && s.Count >= maxPerSender)
        {
            throw new ChainException($"sender has {s.Count} pending messages; the limit is {maxPerSender}");
        }
    }

    public void Add(PendingMessage message)
    {
        _queue.AddLast(message);
        _byCid[message.Cid] = message;
        if (!_senders.TryGetValue(message.SenderId, out var s))
        {
            _senders[message.SenderId] = s = new Sender();
        }

        s.Count++;
        s.Reserved += message.MaxCost;
        s.LastNonce = message.Signed.Message.Nonce;
    }

    /// <summary>The oldest messages, at most <paramref name="max"/> and <paramref name="gasLimit"/> gas in all.</summary>
    public List<PendingMessage> Take(int max, long gasLimit)
    {
        var batch = new List<PendingMessage>();
        long gas = 0;
        foreach (var m in _queue)
        {
            if (batch.Count == max || gas + m.Signed.Message.GasLimit > gasLimit)
            {
                break;
            }

            gas += m.Signed.Message.GasLimit;
            batch.Add(m);
        }

        return batch;
    }

    /// <summary>Removes the first <paramref name="count"/> messages (a block took them).</summary>
    public void RemoveOldest(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var m = _queue.First!.Value;
            _queue.RemoveFirst();
            _byCid.Remove(m.Cid);
            var s = _senders[m.SenderId];
            s.Count--;
            s.Reserved -= m.MaxCost;
            if (s.Count == 0)
            {
                _senders.Remove(m.SenderId);
            }
        }
    }

    private sealed class Sender
    {
        public int Count { get; set; }

        public BigInteger Reserved { get; set; }

        public ulong LastNonce { get; set; }
    }
}
