using System.Buffers.Binary;
using Granary.Chain.Devnet.Storage;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Chain.Devnet;

/// <summary>
/// The embedded devnet: a single-node Filecoin-like chain in one process, with its state in a SQLite file. One
/// block per epoch, mined when its clock ticks (<see cref="TimerDevnetClock"/> every block delay, or a
/// <see cref="ManualDevnetClock"/> in tests): the pending messages in arrival order (at most
/// <see cref="DevnetOptions.MaxBlockMessages"/>), then the block reward to the elected miner, then cron (miner
/// deadlines, market deals). Each block is written in one transaction; reopening the file continues from the
/// last block with the pending messages. See <see cref="Execution.GasSchedule"/>, <see cref="Election"/>,
/// <c>MarketActor</c> and <see cref="Mining.MinerState"/> for the simplified rules.
/// </summary>
/// <remarks>
/// State queries answer from the current state whichever known tipset is named (the devnet keeps no historical
/// state); an unknown tipset key is refused. Deadline queries use the named tipset's height.
/// </remarks>
public sealed partial class DevnetNode : IChainNode, IEpochMiner, IAsyncDisposable
{
    private const int CachedTipSets = 2048;
    private static readonly byte[] FaucetDomain = "granary-devnet faucet key"u8.ToArray();

    private readonly Lock _gate = new();
    private readonly DevnetOptions _options;
    private readonly DevnetStore _store;
    private readonly DevnetWallet _wallet;
    private readonly MessagePool _pool;
    private readonly HeadNotifier _notifier;
    private readonly DevnetRandomness _randomness;
    private readonly IDevnetClock _clock;
    private readonly ILogger _logger;
    private readonly Dictionary<long, TipSet> _recent = [];
    private readonly Dictionary<Cid, long> _recentByCid = [];
    private StateTree _tree = new();
    private TipSet _head = null!;
    private Cid _headStateRoot = null!;
    private (long Epoch, byte[] Ticket)? _miningTicket;
    private TaskCompletionSource _nextBlock = NewSignal();
    private Exception? _fault;
    private bool _disposed;

    private DevnetNode(DevnetOptions options)
    {
        _options = options;
        _logger = options.LoggerFactory?.CreateLogger<DevnetNode>() ?? (ILogger)NullLogger.Instance;
        _store = new DevnetStore(options.DatabasePath);
        _wallet = new DevnetWallet(_store);
        _pool = new MessagePool(options.MaxPendingPerSender, options.MaxPending);
        _notifier = new HeadNotifier { OnDropped = () => DevnetLog.SubscriberDropped(_logger) };
        _randomness = new DevnetRandomness(TicketAt);
        _clock = options.Clock ?? new TimerDevnetClock(options.LoggerFactory?.CreateLogger<TimerDevnetClock>());
        FaucetAddress = Secp256k1.AddressOf(FaucetKey(options.FaucetSeed));
    }

    /// <summary>The faucet account, funded at genesis; <see cref="Faucet"/> sends from it.</summary>
    public Address FaucetAddress { get; }

    /// <summary>The network's name.</summary>
    public string NetworkName => _options.NetworkName;

    /// <summary>The chain's policy.</summary>
    public ChainPolicy Policy => _options.Policy;

    /// <summary>
    /// Opens the devnet in <see cref="DevnetOptions.DatabasePath"/>, creating its genesis if the file is new, and
    /// starts its clock. Genesis options are used only when the chain is created.
    /// </summary>
    /// <exception cref="ChainException">The file holds another network or policy, or does not parse.</exception>
    public static DevnetNode Open(DevnetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var node = new DevnetNode(options);
        try
        {
            if (node._store.IsEmpty)
            {
                node.CreateGenesis();
            }
            else
            {
                node.Reopen();
            }

            node._clock.Start(node, TimeSpan.FromSeconds(options.Policy.BlockDelaySeconds));
        }
        catch
        {
            node._store.Dispose();
            throw;
        }

        return node;
    }

    /// <summary>Devnet only: sends <paramref name="amount"/> from the faucet in a signed message; the message CID.</summary>
    public async Task<Cid> Faucet(Address to, TokenAmount amount, CancellationToken cancellationToken = default)
    {
        var message = new Filecoin.Chain.Message(0, to, FaucetAddress, 0, amount, 0, TokenAmount.Zero, TokenAmount.Zero, 0, []);
        var signed = await MpoolPushMessage(message, null, cancellationToken).ConfigureAwait(false);
        return signed.Cid();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _clock.DisposeAsync().ConfigureAwait(false);
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _notifier.CompleteAll();
            _nextBlock.TrySetException(new ChainException("the devnet node was closed"));
            _store.Dispose();
        }
    }

    private static byte[] FaucetKey(string seed)
    {
        var key = Blake2b.Hash256([.. FaucetDomain, .. System.Text.Encoding.UTF8.GetBytes(seed)]);
        while (true)
        {
            try
            {
                Secp256k1.PublicKey(key);
                return key;
            }
            catch (ArgumentException)
            {
                key = Blake2b.Hash256(key); // not a valid scalar (probability ~2^-128)
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void SetHead(TipSet head, Cid stateRoot)
    {
        _head = head;
        _headStateRoot = stateRoot;
        Remember(head);
    }

    private void Remember(TipSet tipSet)
    {
        _recent[tipSet.Height] = tipSet;
        _recentByCid[tipSet.Key.Cids[0]] = tipSet.Height;
        if (_recent.Remove(tipSet.Height - CachedTipSets, out var old))
        {
            _recentByCid.Remove(old.Key.Cids[0]);
        }
    }

    private TipSet TipSetAt(long height)
    {
        if (_recent.TryGetValue(height, out var tipSet))
        {
            return tipSet;
        }

        var row = _store.BlockAt(height) ?? throw new ChainException($"no tipset at height {height} (head is {_head.Height})");
        return BlockCodec.Decode(row.Header);
    }

    private TipSet Resolve(TipSetKey? key)
    {
        if (key is null || key.Cids.Count == 0)
        {
            return _head;
        }

        if (key.Cids.Count == 1)
        {
            if (_recentByCid.TryGetValue(key.Cids[0], out var height))
            {
                return _recent[height];
            }

            if (_store.BlockByCid(key.Cids[0]) is { } row)
            {
                return BlockCodec.Decode(row.Header);
            }
        }

        throw new ChainException($"tipset {string.Join(",", key.Cids)} is not on the devnet's chain");
    }

    // Called with the gate held (randomness during execution or a query).
    private byte[] TicketAt(long epoch)
    {
        if (_miningTicket is { } mining && mining.Epoch == epoch)
        {
            return mining.Ticket;
        }

        return epoch <= _head.Height ? TipSetAt(epoch).Blocks[0].Ticket
            : throw new ActorException(ExitCode.ErrIllegalArgument, $"cannot draw randomness from the future (epoch {epoch}, head {_head.Height})");
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_fault is not null)
        {
            throw new ChainException($"the devnet stopped after a failed block: {_fault.Message}; reopen it to continue from the last committed block", _fault);
        }
    }

    private static byte[] NextTicket(byte[] previous, long epoch)
    {
        var input = new byte[previous.Length + 8];
        previous.CopyTo(input, 0);
        BinaryPrimitives.WriteInt64BigEndian(input.AsSpan(previous.Length), epoch);
        return Blake2b.Hash256(input);
    }
}
