using System.Numerics;
using Granary.Chain;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Model;
using Granary.Filecoin;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Grains.Miner;
using Granary.Grains.Placement;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Granary.Grains.Deals;

/// <inheritdoc cref="IDealPublisherGrain" />
/// <remarks>
/// Not reentrant; every turn is short (no call waits for a message to land): a timer drives the work. A batch is
/// persisted with its deals and a fresh push key before it is pushed, and the miner grain's push is idempotent per key,
/// so a crash anywhere between forming the batch and recording its CID pushes the message at most once; a batch with a
/// CID is only ever checked, never pushed again (unless the node dropped it). Before a batch is formed each deal is
/// checked again: a deal whose start epoch has passed, or whose client's escrow no longer covers it (the deals of a
/// client in the batch together), fails with that reason. A push that fails (chain unreachable, mpool) is retried with
/// back-off. Deals the market actor leaves out of a landed message fail with the reason found for them.
/// The batches are the publisher's state; a reactivated publisher resumes them, and deals at
/// <see cref="DealCheckpoint.Transferred"/> or <see cref="DealCheckpoint.Published"/> re-enter on their own resume.
/// </remarks>
[RequiresSubsystem(Subsystem.Markets)]
public sealed partial class DealPublisherGrain(
    [PersistentState("deal-publisher", GrainStorage.Name)] IPersistentState<DealPublisherState> state,
    IChainNode chain,
    IOptions<DealmakingOptions> options,
    ILogger<DealPublisherGrain> logger) : Grain, IDealPublisherGrain
{
    /// <summary>Most landed outcomes kept to answer deals that ask again.</summary>
    public const int MaxOutcomes = 256;

    /// <summary>The market actor (f05), where <c>PublishStorageDeals</c> goes.</summary>
    public static readonly Address MarketActor = Address.FromId(5);

    /// <summary>The market actor's <c>PublishStorageDeals</c> method.</summary>
    public const ulong PublishStorageDealsMethod = 4;

    private static readonly TimeSpan MinBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    private readonly DealmakingOptions _options = options.Value;
    private IGrainTimer? _timer;
    private DateTimeOffset _timerDue = DateTimeOffset.MaxValue;

    private string Miner => this.GetPrimaryKeyString();

    private int BatchSize => Math.Clamp(_options.MaxDealsPerPublishMsg, 1, 512);

    // How often a sent message is checked: half a block, within 1 to 15 s.
    private TimeSpan PollInterval => TimeSpan.FromTicks(Math.Clamp(_options.BlockDelay.Ticks / 2, TimeSpan.TicksPerSecond, 15 * TimeSpan.TicksPerSecond));

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Schedule(TimeSpan.Zero);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task Enqueue(Guid deal)
    {
        var s = state.State;
        if (s.Queue.Any(q => q.Deal == deal) || s.Batches.Any(b => b.Deals.Contains(deal)))
        {
            return;
        }

        s.Queue.Add(new QueuedPublish(deal, DateTimeOffset.UtcNow));
        await state.WriteStateAsync();
        LogQueued(Miner, deal, s.Queue.Count);
        Schedule(s.Queue.Count >= BatchSize ? TimeSpan.Zero : s.Queue[0].QueuedAt + _options.PublishMsgPeriod - DateTimeOffset.UtcNow);
    }

    /// <inheritdoc />
    public async Task Watch(Guid deal, string message)
    {
        var s = state.State;
        if (s.Batches.Any(b => b.Deals.Contains(deal)))
        {
            return; // followed: the deal is told when it lands
        }

        if (s.Outcomes.FindLast(o => o.Deal == deal && o.Message == message) is { } outcome)
        {
            await TellAsync(outcome); // landed before and the deal missed it
            return;
        }

        if (message.Length == 0)
        {
            await Enqueue(deal);
            return;
        }

        // Not a batch of this publisher's state (it was lost): follow the message for this deal alone.
        s.Batches.Add(new PublishBatch($"watch-{message}-{deal:N}", [deal], message, DateTimeOffset.UtcNow, 0, DateTimeOffset.UtcNow, ""));
        await state.WriteStateAsync();
        Schedule(TimeSpan.Zero);
    }

    /// <inheritdoc />
    public Task<DealPublisherSnapshot> Describe() =>
        Task.FromResult(new DealPublisherSnapshot(state.State.Queue.ToArray(), state.State.Batches.ToArray(), state.State.MessagesSent));

    private void Schedule(TimeSpan due)
    {
        if (due < TimeSpan.Zero)
        {
            due = TimeSpan.Zero;
        }

        var at = DateTimeOffset.UtcNow + due;
        if (_timer is not null && _timerDue <= at)
        {
            return; // an earlier tick is coming
        }

        _timer?.Dispose();
        _timerDue = at;
        _timer = this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan));
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _timer = null;
        _timerDue = DateTimeOffset.MaxValue;
        try
        {
            await CheckSentAsync();
            await PushUnsentAsync();
            await FormBatchAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Persisting or the chain failed outside a push: try again shortly.
            LogTickFailed(Miner, e.Message);
            Schedule(MinBackoff);
            return;
        }

        ScheduleNext();
    }

    private void ScheduleNext()
    {
        var s = state.State;
        var now = DateTimeOffset.UtcNow;
        var next = DateTimeOffset.MaxValue;
        foreach (var batch in s.Batches)
        {
            var at = batch.Message.Length > 0 ? now + PollInterval : batch.NextAttempt;
            next = at < next ? at : next;
        }

        if (s.Queue.Count > 0 && !s.Batches.Any(b => b.Message.Length == 0))
        {
            var at = s.Queue.Count >= BatchSize ? now : s.Queue[0].QueuedAt + _options.PublishMsgPeriod;
            next = at < next ? at : next;
        }

        if (next != DateTimeOffset.MaxValue)
        {
            Schedule(next - now);
        }
    }

    // Sent messages: landed ones resolve their deals; dropped ones are pushed again.
    private async Task CheckSentAsync()
    {
        var miner = MinerGrain();
        foreach (var batch in state.State.Batches.Where(b => b.Message.Length > 0).ToList())
        {
            MinerMessageStatus status;
            try
            {
                status = await miner.CheckMessage(batch.Message, TimeSpan.FromMilliseconds(200));
            }
            catch (Exception e) when (Transient(e))
            {
                LogCheckFailed(Miner, batch.Message, e.Message);
                continue;
            }

            switch (status.Fate)
            {
                case MinerMessageFate.Landed:
                    await ResolveAsync(batch, status.Receipt!);
                    break;
                case MinerMessageFate.Dropped:
                    LogDropped(Miner, batch.Message, batch.Deals.Length);
                    await ReplaceAsync(batch, batch with { Message = "", NextAttempt = DateTimeOffset.UtcNow });
                    break;
            }
        }
    }

    private async Task PushUnsentAsync()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var batch in state.State.Batches.Where(b => b.Message.Length == 0 && b.NextAttempt <= now).ToList())
        {
            await PushAsync(batch);
        }
    }

    private async Task FormBatchAsync()
    {
        var s = state.State;
        var now = DateTimeOffset.UtcNow;
        if (s.Queue.Count == 0 || s.Batches.Any(b => b.Message.Length == 0)
            || (s.Queue.Count < BatchSize && now - s.Queue[0].QueuedAt < _options.PublishMsgPeriod))
        {
            return;
        }

        TipSet head;
        try
        {
            head = await chain.ChainHead();
        }
        catch (Exception e) when (Transient(e))
        {
            LogCheckFailed(Miner, "the chain head", e.Message);
            return;
        }

        // Take deals from the front until the batch is full; those no longer publishable leave the queue.
        var chosen = new List<(Guid Deal, ClientDealProposal Signed)>();
        var leaving = new List<Guid>();
        var failures = new List<(Guid Deal, string Error)>();
        var clientCost = new Dictionary<Address, BigInteger>();
        var balances = new Dictionary<Address, BigInteger>();
        foreach (var queued in s.Queue.ToList())
        {
            if (chosen.Count >= BatchSize)
            {
                break;
            }

            DealPublishCandidate? candidate;
            try
            {
                candidate = await GrainFactory.GetGrain<IDealGrain>(queued.Deal).GetPublishCandidate();
            }
            catch (Exception e) when (Transient(e))
            {
                LogCheckFailed(Miner, $"deal {queued.Deal}", e.Message);
                continue; // stays queued
            }

            if (candidate is null || candidate.Checkpoint != DealCheckpoint.Transferred)
            {
                leaving.Add(queued.Deal); // failed, published already, or gone
                continue;
            }

            ClientDealProposal signed;
            try
            {
                signed = ClientDealProposal.FromCbor(candidate.ClientDealProposal);
            }
            catch (FilecoinFormatException e)
            {
                failures.Add((queued.Deal, $"the signed proposal cannot be read: {e.Message}"));
                continue;
            }

            var p = signed.Proposal;
            if (p.StartEpoch <= head.Height)
            {
                failures.Add((queued.Deal, $"deal start epoch has already elapsed: start epoch {p.StartEpoch}, current epoch {head.Height} (not published)"));
                continue;
            }

            var available = await AvailableEscrowAsync(balances, p.Client, head);
            if (available is null)
            {
                continue; // the chain is unreachable: stays queued
            }

            var cost = p.TotalStorageFee.AttoFil + p.ClientCollateral.AttoFil;
            var total = clientCost.GetValueOrDefault(p.Client) + cost;
            if (available < total)
            {
                failures.Add((queued.Deal, $"client market balance too small at publish time: available {Fil(available.Value)}, "
                    + $"required {Fil(total)} (storage fee + client collateral{(total > cost ? " of this and the client's other deals in the message" : "")}); "
                    + "the client withdrew or locked its escrow after the deal was accepted"));
                continue;
            }

            clientCost[p.Client] = total;
            chosen.Add((queued.Deal, signed));
        }

        foreach (var (deal, error) in failures)
        {
            await FailAsync(deal, error);
        }

        var removed = new HashSet<Guid>(leaving.Concat(failures.Select(f => f.Deal)).Concat(chosen.Select(c => c.Deal)));
        if (chosen.Count == 0)
        {
            if (s.Queue.RemoveAll(q => removed.Contains(q.Deal)) > 0)
            {
                await state.WriteStateAsync();
            }

            return;
        }

        // The provider's collateral must be in its escrow too; a shortfall is the operator's to fix, so the deals wait.
        var collateral = chosen.Aggregate(BigInteger.Zero, (sum, c) => sum + c.Signed.Proposal.ProviderCollateral.AttoFil);
        if (collateral > 0)
        {
            var provider = await AvailableEscrowAsync(balances, Address.Parse(Miner), head);
            if (provider is null || provider < collateral)
            {
                LogProviderCollateral(Miner, Fil(provider ?? 0), Fil(collateral));
                s.Queue.RemoveAll(q => removed.Contains(q.Deal) && !chosen.Any(c => c.Deal == q.Deal));
                await state.WriteStateAsync();
                Schedule(MinBackoff);
                return;
            }
        }

        var batch = new PublishBatch($"psd-{Guid.NewGuid():N}", chosen.Select(c => c.Deal).ToArray(), "", DateTimeOffset.UtcNow, 0, DateTimeOffset.UtcNow, "");
        s.Queue.RemoveAll(q => removed.Contains(q.Deal));
        s.Batches.Add(batch);
        await state.WriteStateAsync(); // the batch is recorded before anything is pushed
        await PushAsync(batch, chosen.Select(c => c.Signed).ToList());
    }

    private async Task PushAsync(PublishBatch batch, IReadOnlyList<ClientDealProposal>? proposals = null)
    {
        if (proposals is null)
        {
            // Pushed again after a crash or a failed push: the same deals in the same order make the same params.
            var list = new List<ClientDealProposal>();
            foreach (var deal in batch.Deals)
            {
                DealPublishCandidate? candidate;
                try
                {
                    candidate = await GrainFactory.GetGrain<IDealGrain>(deal).GetPublishCandidate();
                }
                catch (Exception e) when (Transient(e))
                {
                    await RetryLaterAsync(batch, $"deal {deal} cannot be read: {e.Message}");
                    return;
                }

                if (candidate is null)
                {
                    continue;
                }

                list.Add(ClientDealProposal.FromCbor(candidate.ClientDealProposal));
            }

            proposals = list;
        }

        var parameters = new PublishStorageDealsParams(proposals).ToCbor();
        PendingMinerMessage pending;
        try
        {
            pending = await MinerGrain().Push(batch.Key, MarketActor.ToString(_options.AddressNetwork), PublishStorageDealsMethod, parameters, BigInteger.Zero);
        }
        catch (Exception e) when (Transient(e))
        {
            await RetryLaterAsync(batch, e.Message);
            return;
        }

        var sent = batch with { Message = pending.Message, LastError = "", NextAttempt = DateTimeOffset.UtcNow };
        state.State.MessagesSent++;
        await ReplaceAsync(batch, sent);
        LogPushed(Miner, pending.Message, batch.Deals.Length);
        foreach (var deal in batch.Deals)
        {
            try
            {
                await GrainFactory.GetGrain<IDealGrain>(deal).RecordProgress(new DealProgress(DealCheckpoint.Published,
                    $"in PublishStorageDeals message {pending.Message} with {batch.Deals.Length} deal{(batch.Deals.Length == 1 ? "" : "s")}",
                    PublishCid: pending.Message));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A failed or unreachable deal: the outcome is still resolved when the message lands.
                LogTellFailed(Miner, deal, e.Message);
            }
        }
    }

    private async Task RetryLaterAsync(PublishBatch batch, string error)
    {
        var attempts = batch.Attempts + 1;
        var wait = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, MinBackoff.Ticks << Math.Min(attempts - 1, 16)));
        LogPushFailed(Miner, batch.Deals.Length, attempts, wait.TotalSeconds, error);
        await ReplaceAsync(batch, batch with { Attempts = attempts, NextAttempt = DateTimeOffset.UtcNow + wait, LastError = error });
    }

    // A landed message: each deal gets its chain deal id, or fails with why the market actor left it out.
    private async Task ResolveAsync(PublishBatch batch, MinerReceipt receipt)
    {
        var outcomes = new List<PublishOutcome>();
        if (receipt.ExitCode != 0)
        {
            outcomes.AddRange(batch.Deals.Select(d => new PublishOutcome(d, batch.Message, 0,
                $"PublishStorageDeals message {batch.Message} failed on chain at epoch {receipt.Height} with exit code {receipt.ExitCode}", receipt.Height)));
        }
        else
        {
            PublishStorageDealsReturn published;
            try
            {
                published = PublishStorageDealsReturn.FromCbor(receipt.Return);
            }
            catch (Exception e) when (e is FilecoinFormatException or FormatException)
            {
                outcomes.AddRange(batch.Deals.Select(d => new PublishOutcome(d, batch.Message, 0,
                    $"PublishStorageDeals message {batch.Message} landed but its return value cannot be read: {e.Message}", receipt.Height)));
                published = new PublishStorageDealsReturn([], new BitField([]));
            }

            if (outcomes.Count == 0 && !await MatchAsync(batch, receipt, published, outcomes))
            {
                return; // the chain could not be read: checked again on the next tick
            }
        }

        var s = state.State;
        s.Batches.RemoveAll(b => b.Key == batch.Key);
        s.Outcomes.AddRange(outcomes);
        if (s.Outcomes.Count > MaxOutcomes)
        {
            s.Outcomes.RemoveRange(0, s.Outcomes.Count - MaxOutcomes);
        }

        await state.WriteStateAsync();
        LogLanded(Miner, batch.Message, receipt.Height, outcomes.Count(o => o.Error.Length == 0), outcomes.Count(o => o.Error.Length > 0));
        foreach (var outcome in outcomes)
        {
            await TellAsync(outcome);
        }
    }

    // The returned ids in order, each matched to the batch's deal with the same proposal (the on-chain copy has id addresses).
    private async Task<bool> MatchAsync(PublishBatch batch, MinerReceipt receipt, PublishStorageDealsReturn published, List<PublishOutcome> outcomes)
    {
        var onChain = new List<(ulong Id, DealProposal Proposal)>();
        try
        {
            foreach (var id in published.Ids)
            {
                onChain.Add((id, (await chain.StateMarketStorageDeal(id, null)).Proposal));
            }
        }
        catch (Exception e) when (e is ChainException)
        {
            LogCheckFailed(Miner, $"the deals of {batch.Message}", e.Message);
            return false;
        }

        var seen = new HashSet<string>();
        foreach (var deal in batch.Deals)
        {
            DealPublishCandidate? candidate;
            try
            {
                candidate = await GrainFactory.GetGrain<IDealGrain>(deal).GetPublishCandidate();
            }
            catch (Exception e) when (Transient(e))
            {
                LogCheckFailed(Miner, $"deal {deal}", e.Message);
                return false;
            }

            if (candidate is null)
            {
                continue;
            }

            var proposal = ClientDealProposal.FromCbor(candidate.ClientDealProposal).Proposal;
            var match = onChain.FindIndex(c => SameTerms(c.Proposal, proposal));
            var duplicate = !seen.Add(proposal.Cid().ToString());
            if (match >= 0 && !duplicate)
            {
                outcomes.Add(new PublishOutcome(deal, batch.Message, onChain[match].Id, "", receipt.Height));
                onChain.RemoveAt(match);
                continue;
            }

            var why = duplicate ? "another deal of the message has the same proposal"
                : proposal.StartEpoch <= receipt.Height ? $"its start epoch {proposal.StartEpoch} had passed"
                : "the market actor found it invalid (client signature, epochs, sizes, escrow, or a proposal published before)";
            outcomes.Add(new PublishOutcome(deal, batch.Message, 0,
                $"not published: PublishStorageDeals message {batch.Message} landed at epoch {receipt.Height} without this deal: {why}", receipt.Height));
        }

        return true;
    }

    private async Task TellAsync(PublishOutcome outcome)
    {
        var grain = GrainFactory.GetGrain<IDealGrain>(outcome.Deal);
        try
        {
            if (outcome.Error.Length > 0)
            {
                await grain.Fail(outcome.Error);
            }
            else
            {
                await grain.RecordProgress(new DealProgress(DealCheckpoint.PublishConfirmed,
                    $"published on chain at epoch {outcome.Height} in {outcome.Message}: deal id {outcome.ChainDealId}", PublishCid: outcome.Message,
                    ChainDealId: outcome.ChainDealId));
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The deal asks again (Watch) when it resumes; the outcome is kept for it.
            LogTellFailed(Miner, outcome.Deal, e.Message);
        }
    }

    private async Task FailAsync(Guid deal, string error)
    {
        LogNotPublished(Miner, deal, error);
        try
        {
            await GrainFactory.GetGrain<IDealGrain>(deal).Fail(error);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogTellFailed(Miner, deal, e.Message);
        }
    }

    private async Task ReplaceAsync(PublishBatch old, PublishBatch updated)
    {
        var i = state.State.Batches.FindIndex(b => b.Key == old.Key);
        if (i >= 0)
        {
            state.State.Batches[i] = updated;
        }

        await state.WriteStateAsync();
    }

    private async Task<BigInteger?> AvailableEscrowAsync(Dictionary<Address, BigInteger> cache, Address address, TipSet head)
    {
        if (cache.TryGetValue(address, out var known))
        {
            return known;
        }

        try
        {
            var balance = await chain.StateMarketBalance(address, head.Key);
            var available = balance.Escrow.AttoFil - balance.Locked.AttoFil;
            cache[address] = available;
            return available;
        }
        catch (ChainException e)
        {
            LogCheckFailed(Miner, $"the market balance of {address.ToString(_options.AddressNetwork)}", e.Message);
            return null;
        }
    }

    private IMinerGrain MinerGrain() => GrainFactory.GetGrain<IMinerGrain>(Miner);

    // Terms equal but for the addresses (the chain stores the client and provider as id addresses).
    private static bool SameTerms(DealProposal onChain, DealProposal proposal) =>
        (proposal with { Client = onChain.Client, Provider = onChain.Provider }).Cid() == onChain.Cid();

    // Errors worth retrying: the chain, the miner grain or the cluster, not the data.
    private static bool Transient(Exception e) => e is ChainException or MinerException or SubsystemUnavailableException or TimeoutException
        or OrleansException or DealmakingException;

    private static string Fil(BigInteger atto) => new Filecoin.Tokens.TokenAmount(atto).ToString();
}
