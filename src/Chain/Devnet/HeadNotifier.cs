using System.Threading.Channels;
using Granary.Chain.Model;

namespace Granary.Chain.Devnet;

/// <summary>
/// <c>ChainNotify</c>'s broadcast: each subscriber has its own bounded queue of head changes. A subscriber that
/// falls <see cref="Capacity"/> changes behind is dropped — its enumeration ends with a
/// <see cref="ChainException"/> — rather than silently missing an Apply or holding the chain back.
/// </summary>
internal sealed class HeadNotifier
{
    /// <summary>Head changes one subscriber may have unread.</summary>
    public const int Capacity = 1024;

    private readonly Lock _gate = new();
    private readonly List<Channel<IReadOnlyList<HeadChange>>> _subscribers = [];

    public Action? OnDropped { get; init; }

    /// <summary>A new subscription whose first batch is the current head.</summary>
    public Channel<IReadOnlyList<HeadChange>> Subscribe(TipSet current)
    {
        var channel = Channel.CreateBounded<IReadOnlyList<HeadChange>>(new BoundedChannelOptions(Capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        channel.Writer.TryWrite([new HeadChange(HeadChangeType.Current, current)]);
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        return channel;
    }

    public void Unsubscribe(Channel<IReadOnlyList<HeadChange>> channel)
    {
        lock (_gate)
        {
            _subscribers.Remove(channel);
        }

        channel.Writer.TryComplete();
    }

    public void Publish(TipSet applied)
    {
        IReadOnlyList<HeadChange> batch = [new HeadChange(HeadChangeType.Apply, applied)];
        lock (_gate)
        {
            for (var i = _subscribers.Count - 1; i >= 0; i--)
            {
                if (!_subscribers[i].Writer.TryWrite(batch))
                {
                    _subscribers[i].Writer.TryComplete(new ChainException($"ChainNotify subscriber fell more than {Capacity} head changes behind and was dropped; subscribe again"));
                    _subscribers.RemoveAt(i);
                    OnDropped?.Invoke();
                }
            }
        }
    }

    public void CompleteAll()
    {
        lock (_gate)
        {
            foreach (var s in _subscribers)
            {
                s.Writer.TryComplete();
            }

            _subscribers.Clear();
        }
    }
}
