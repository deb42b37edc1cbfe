using System.Diagnostics;
using System.Numerics;
using Granary.Chain.Devnet.Execution;
using Granary.Chain.Devnet.Market;
using Granary.Chain.Devnet.Storage;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet;

// Block production: election, messages, reward, cron, one transaction.
public sealed partial class DevnetNode
{
    /// <inheritdoc />
    Task IEpochMiner.MineEpochAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfUnusable();
            TipSet applied;
            try
            {
                applied = MineEpoch();
            }
            catch (Exception e)
            {
                // The in-memory state may be half-applied: refuse everything until the node is reopened from the file.
                _fault = e;
                _nextBlock.TrySetException(new ChainException($"the devnet stopped: {e.Message}", e));
                throw;
            }

            // Inside the gate so subscribers see blocks in order; neither call runs subscriber code inline.
            _notifier.Publish(applied);
            var signal = _nextBlock;
            _nextBlock = NewSignal();
            signal.TrySetResult();
        }

        return Task.CompletedTask;
    }

    private TipSet MineEpoch()
    {
        var watch = Stopwatch.StartNew();
        var epoch = _head.Height + 1;
        var parentRoot = _headStateRoot;
        var winner = Election.Winner(_tree.Miners.Select(m => (m.Key, m.Value.Power().QualityAdjPower)), epoch);
        var ticket = NextTicket(_head.Blocks[0].Ticket, epoch);
        _miningTicket = (epoch, ticket);

        var batch = _pool.Take(_options.MaxBlockMessages, GasSchedule.BlockGasLimit);
        var executor = new MessageExecutor(_tree, _options.Policy, _randomness);
        var included = new List<StoredMessage>(batch.Count);
        foreach (var pending in batch)
        {
            var receipt = executor.Apply(pending.Signed.Message, epoch, out var reason);
            if (receipt is null)
            {
                DevnetLog.Dropped(_logger, pending.Cid, reason!);
                continue;
            }

            included.Add(new StoredMessage(pending.Cid, pending.MessageCid, pending.Bytes, receipt));
        }

        Reward(winner, executor.Tips);
        Cron(epoch);
        _tree.Journal.Clear();

        var tree = _tree;
        var actors = tree.Dirty.Order().Select(tree.Find).OfType<ActorRecord>().Select(a => StateRows.ToRow(tree, a)).ToList();
        var removedActors = tree.Dirty.Where(id => tree.Find(id) is null).Order().ToList();
        var market = tree.Market;
        var deals = market.DirtyDeals.Order().Where(market.Deals.ContainsKey).Select(id => StateRows.ToRow(market.Deals[id])).ToList();
        var removedDeals = market.DirtyDeals.Where(id => !market.Deals.ContainsKey(id)).Order().ToList();
        var stateRoot = BlockCodec.StateRoot(parentRoot, actors, removedActors, deals, removedDeals);

        var timestamp = (ulong)Math.Max((long)_head.Timestamp + 1, _clock.Now.ToUnixTimeSeconds());
        var header = new BlockHeader(Address.FromId(winner ?? SystemActors.System), ticket, epoch, timestamp, parentRoot,
            BlockCodec.MessagesCid(included.Select(m => m.SignedCid)));
        var bytes = BlockCodec.Encode(header, _head.Key);
        var tipSet = BlockCodec.Decode(bytes);
        _store.Commit(new BlockCommit(epoch, tipSet.Key.Cids[0], bytes, stateRoot, included, actors, removedActors, deals, removedDeals,
            batch.Count > 0 ? batch[^1].Seq : 0));

        _pool.RemoveOldest(batch.Count);
        tree.Dirty.Clear();
        market.DirtyDeals.Clear();
        _miningTicket = null;
        SetHead(tipSet, stateRoot);
        DevnetLog.Mined(_logger, epoch, included.Count, header.Miner.ToString(), watch.ElapsedMilliseconds);
        return tipSet;
    }

    // The fixed block reward (while the reward actor lasts) and the epoch's tips go to the winner; no winner, the tips burn.
    private void Reward(ulong? winner, BigInteger tips)
    {
        var target = _tree.Get(winner ?? SystemActors.BurntFunds);
        if (winner is not null)
        {
            var reward = _tree.Get(SystemActors.Reward);
            _tree.Transfer(reward, target, BigInteger.Min(Election.BlockReward, reward.Balance));
        }

        _tree.Credit(target, tips);
    }

    // After the messages, as Filecoin's cron: each miner's deadlines, penalties burnt, deals of terminated sectors slashed; then the market.
    private void Cron(long epoch)
    {
        var burnt = _tree.Get(SystemActors.BurntFunds);
        foreach (var (id, state) in _tree.Miners.OrderBy(m => m.Key).ToList())
        {
            var actor = _tree.Get(id);
            var result = state.ProcessEpoch(epoch, _options.Policy, new TokenAmount(actor.Balance));
            if (result.ClosedDeadlines.Count > 0 || result.ExpiredPreCommits.Count > 0 || result.Expired.Count > 0 || result.Terminated.Count > 0
                || result.ToBurn > TokenAmount.Zero)
            {
                // Otherwise only the processed-through epoch moved; re-running those quiet epochs after a restart does nothing.
                _tree.Dirty.Add(id);
            }

            _tree.Transfer(actor, burnt, BigInteger.Min(result.ToBurn.AttoFil, actor.Balance));
            MarketActor.OnSectorsTerminated(_tree, result.TerminatedDealIds, epoch);
        }

        MarketActor.Cron(_tree, epoch);
    }
}
