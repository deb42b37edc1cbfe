using System.Numerics;
using Granary.Chain.Model;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;

namespace Granary.Chain.Devnet.Market;

/// <summary>An actor's market funds: all it has in escrow, and the part deals lock.</summary>
internal readonly record struct Escrow(BigInteger Total, BigInteger Locked)
{
    public BigInteger Available => Total - Locked;
}

/// <summary>A published deal: its proposal (client and provider as id addresses) and where it stands.</summary>
internal sealed record DealEntry(ulong Id, DealProposal Proposal, ulong ClientId, ulong ProviderId, DealState State)
{
    public bool Active => State.SectorStartEpoch >= 0;

    public bool Slashed => State.SlashEpoch >= 0;
}

/// <summary>
/// The market actor's state: escrow by actor id, deals by id and the next deal id. Changes are journaled on the
/// state tree and mark what to persist (balances with the actor row, each deal as its own row).
/// </summary>
internal sealed class MarketState
{
    public ulong NextDealId { get; set; }

    public Dictionary<ulong, Escrow> Balances { get; } = [];

    public SortedDictionary<ulong, DealEntry> Deals { get; } = [];

    /// <summary>Proposal CIDs of live deals: the same proposal cannot be published twice.</summary>
    public HashSet<Cid> ProposalCids { get; } = [];

    /// <summary>Deals changed (or removed) since the last block was persisted.</summary>
    public HashSet<ulong> DirtyDeals { get; } = [];

    public Escrow BalanceOf(ulong id) => Balances.GetValueOrDefault(id);

    public void Adjust(Journal journal, ulong id, BigInteger total, BigInteger locked)
    {
        if (total.IsZero && locked.IsZero)
        {
            return;
        }

        var old = BalanceOf(id);
        Balances[id] = new Escrow(old.Total + total, old.Locked + locked);
        journal.Record(() => Balances[id] = old);
    }

    public void Put(Journal journal, DealEntry deal)
    {
        var old = Deals.GetValueOrDefault(deal.Id);
        Deals[deal.Id] = deal;
        ProposalCids.Add(deal.Proposal.Cid());
        DirtyDeals.Add(deal.Id);
        journal.Record(() =>
        {
            if (old is null)
            {
                Deals.Remove(deal.Id);
                ProposalCids.Remove(deal.Proposal.Cid());
            }
            else
            {
                Deals[deal.Id] = old;
            }
        });
    }

    public void Remove(Journal journal, DealEntry deal)
    {
        Deals.Remove(deal.Id);
        ProposalCids.Remove(deal.Proposal.Cid());
        DirtyDeals.Add(deal.Id);
        journal.Record(() =>
        {
            Deals[deal.Id] = deal;
            ProposalCids.Add(deal.Proposal.Cid());
        });
    }

    public ulong AllocateDealId(Journal journal)
    {
        var id = NextDealId++;
        journal.Record(() => NextDealId--);
        return id;
    }
}
