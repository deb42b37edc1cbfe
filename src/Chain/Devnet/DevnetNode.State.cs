using System.Numerics;
using System.Runtime.CompilerServices;
using Granary.Chain.Devnet.Mining;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet;

// Chain and state queries.
public sealed partial class DevnetNode
{
    /// <inheritdoc />
    public Task<TipSet> ChainHead(CancellationToken cancellationToken = default) => Query(() => _head);

    /// <inheritdoc />
    /// <remarks>
    /// The first batch is the head when enumeration starts; then one Apply per block. A subscriber that leaves more
    /// than 1,024 changes unread is dropped: its enumeration throws <see cref="ChainException"/>.
    /// </remarks>
    public async IAsyncEnumerable<IReadOnlyList<HeadChange>> ChainNotify([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        System.Threading.Channels.Channel<IReadOnlyList<HeadChange>> channel;
        lock (_gate)
        {
            ThrowIfUnusable();
            channel = _notifier.Subscribe(_head);
        }

        try
        {
            await foreach (var batch in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return batch;
            }
        }
        finally
        {
            _notifier.Unsubscribe(channel);
        }
    }

    /// <inheritdoc />
    public Task<TipSet> ChainGetTipSetByHeight(long height, TipSetKey? tipSet, CancellationToken cancellationToken = default) => Query(() =>
    {
        var from = Resolve(tipSet);
        return height < 0 || height > from.Height
            ? throw new ChainException($"height {height} is not between 0 and the tipset's height {from.Height}")
            : TipSetAt(height);
    });

    /// <inheritdoc />
    public Task<MinerInfo> StateMinerInfo(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        MinerQuery(miner, tipSet, (state, _) => state.MinerInfo());

    /// <inheritdoc />
    public Task<MinerPower> StateMinerPower(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        MinerQuery(miner, tipSet, (state, _) =>
        {
            var claim = state.Power();
            var total = _tree.Miners.Values.Select(m => m.Power())
                .Aggregate(new Claim(BigInteger.Zero, BigInteger.Zero), (a, b) => new Claim(a.RawBytePower + b.RawBytePower, a.QualityAdjPower + b.QualityAdjPower));
            return new MinerPower(claim, total, claim.RawBytePower.Sign > 0);
        });

    /// <inheritdoc />
    public Task<DeadlineInfo> StateMinerProvingDeadline(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        MinerQuery(miner, tipSet, (state, ts) => state.ProvingDeadline(ts.Height, _options.Policy));

    /// <inheritdoc />
    public Task<IReadOnlyList<Deadline>> StateMinerDeadlines(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        MinerQuery(miner, tipSet, (state, _) => state.DeadlineList());

    /// <inheritdoc />
    public Task<IReadOnlyList<Partition>> StateMinerPartitions(Address miner, ulong deadline, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        MinerQuery(miner, tipSet, (state, _) => deadline < (ulong)_options.Policy.WPoStPeriodDeadlines ? state.Partitions(deadline)
            : throw new ChainException($"deadline {deadline} is not below {_options.Policy.WPoStPeriodDeadlines}"));

    /// <inheritdoc />
    public Task<BitField> StateMinerFaults(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        MinerQuery(miner, tipSet, (state, _) => state.Faults());

    /// <inheritdoc />
    public Task<SectorPreCommitOnChainInfo?> StateSectorPreCommitInfo(Address miner, ulong sector, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        MinerQuery(miner, tipSet, (state, _) => state.PreCommit(sector));

    /// <inheritdoc />
    public Task<SectorOnChainInfo?> StateSectorGetInfo(Address miner, ulong sector, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        MinerQuery(miner, tipSet, (state, _) => state.Sector(sector));

    /// <inheritdoc />
    public Task<MarketDeal> StateMarketStorageDeal(ulong dealId, TipSetKey? tipSet, CancellationToken cancellationToken = default) => Query(() =>
    {
        Resolve(tipSet);
        return _tree.Market.Deals.TryGetValue(dealId, out var deal) ? new MarketDeal(deal.Proposal, deal.State)
            : throw new ChainException($"deal {dealId} not found");
    });

    /// <inheritdoc />
    public Task<MarketBalance> StateMarketBalance(Address address, TipSetKey? tipSet, CancellationToken cancellationToken = default) => Query(() =>
    {
        Resolve(tipSet);
        var escrow = _tree.TryResolve(address, out var id) ? _tree.Market.BalanceOf(id) : default;
        return new MarketBalance(new TokenAmount(escrow.Total), new TokenAmount(escrow.Locked));
    });

    /// <inheritdoc />
    public Task<Address> StateLookupID(Address address, TipSetKey? tipSet, CancellationToken cancellationToken = default) => Query(() =>
    {
        Resolve(tipSet);
        return address.Protocol == AddressProtocol.Id ? address
            : _tree.TryResolve(address, out var id) ? Address.FromId(id)
            : throw new ChainException($"actor not found: {address}");
    });

    /// <inheritdoc />
    public Task<Address> StateAccountKey(Address address, TipSetKey? tipSet, CancellationToken cancellationToken = default) => Query(() =>
    {
        Resolve(tipSet);
        if (address.Protocol is AddressProtocol.Secp256k1 or AddressProtocol.Bls)
        {
            return address;
        }

        return _tree.TryResolve(address, out var id) && _tree.KeyOf(id) is { } key ? key
            : throw new ChainException($"{address} is not an account the devnet knows");
    });

    /// <inheritdoc />
    public Task<byte[]> StateGetRandomnessFromTickets(DomainSeparationTag tag, long epoch, byte[] entropy, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Query(() => _randomness.FromTickets(tag, CheckRandomnessEpoch(epoch, tipSet), entropy ?? []));

    /// <inheritdoc />
    public Task<byte[]> StateGetRandomnessFromBeacon(DomainSeparationTag tag, long epoch, byte[] entropy, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Query(() => DevnetRandomness.FromBeacon(tag, CheckRandomnessEpoch(epoch, tipSet), entropy ?? []));

    /// <inheritdoc />
    /// <remarks>
    /// Finds the message by its signed or unsigned CID. The devnet executes a block's messages in that block, so the
    /// lookup's height and tipset are the block that included the message, at whose epoch it ran (Lotus reports the
    /// next tipset, which carries the receipt). A message that never lands waits until <paramref name="cancellationToken"/> fires.
    /// </remarks>
    public async Task<MessageLookup> StateWaitMsg(Cid message, ulong confidence, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task next;
            lock (_gate)
            {
                ThrowIfUnusable();
                if (_store.FindMessage(message) is { } found && (ulong)(_head.Height - found.Height) >= confidence)
                {
                    return new MessageLookup(found.SignedCid, found.Receipt, TipSetAt(found.Height).Key, found.Height);
                }

                next = _nextBlock.Task;
            }

            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private long CheckRandomnessEpoch(long epoch, TipSetKey? tipSet)
    {
        var from = Resolve(tipSet);
        return epoch <= from.Height ? epoch
            : throw new ChainException($"cannot draw randomness from the future: epoch {epoch} is after the tipset's height {from.Height}");
    }

    private Task<T> Query<T>(Func<T> query)
    {
        lock (_gate)
        {
            ThrowIfUnusable();
            return Task.FromResult(query());
        }
    }

    private Task<T> MinerQuery<T>(Address miner, TipSetKey? tipSet, Func<MinerState, TipSet, T> query) => Query(() =>
    {
        var ts = Resolve(tipSet);
        return _tree.TryResolve(miner, out var id) && _tree.Miners.TryGetValue(id, out var state) ? query(state, ts)
            : throw new ChainException($"{miner} is not a miner");
    });
}
