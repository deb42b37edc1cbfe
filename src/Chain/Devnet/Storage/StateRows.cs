using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Chain.Devnet.Market;
using Granary.Chain.Devnet.Mining;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet.Storage;

/// <summary>
/// The state tree as rows and back. Actor state JSON: the init actor <c>{"NextId":n}</c>; the market
/// <c>{"NextDealId":n,"Balances":{"id":["escrow","locked"]}}</c> (attoFIL as strings; its deals are rows of
/// their own); a miner its <see cref="MinerState"/> JSON.
/// </summary>
internal static class StateRows
{
    public static ActorRow ToRow(StateTree tree, ActorRecord actor) => new(actor.Id, actor.Robust?.ToBytes(), actor.Code,
        new TokenAmount(actor.Balance).ToBytes(), actor.Nonce, actor.Code switch
        {
            ActorCode.Init => new JsonObject { ["NextId"] = tree.NextId }.ToJsonString(),
            ActorCode.Market => MarketJson(tree.Market),
            ActorCode.Miner => tree.Miners[actor.Id].ToJson(),
            _ => null,
        });

    public static DealRow ToRow(DealEntry deal) => new(deal.Id, deal.Proposal.ToCbor(), deal.ClientId, deal.ProviderId, deal.State);

    /// <summary>Rebuilds the state tree from its rows.</summary>
    /// <exception cref="ChainException">A row that does not parse.</exception>
    public static StateTree Load(IEnumerable<ActorRow> actors, IEnumerable<DealRow> deals)
    {
        var tree = new StateTree();
        try
        {
            foreach (var row in actors)
            {
                var actor = new ActorRecord(row.Id, row.Code, row.Robust is null ? null : Address.FromBytes(row.Robust))
                {
                    Balance = TokenAmount.FromBytes(row.Balance).AttoFil,
                    Nonce = row.Nonce,
                };
                tree.Load(actor);
                switch (row.Code)
                {
                    case ActorCode.Init:
                        tree.NextId = JsonNode.Parse(row.State!)!["NextId"]!.GetValue<ulong>();
                        break;
                    case ActorCode.Market:
                        LoadMarket(tree.Market, row.State!);
                        break;
                    case ActorCode.Miner:
                        tree.Miners[row.Id] = MinerState.FromJson(row.State!);
                        break;
                }
            }

            foreach (var row in deals)
            {
                var deal = new DealEntry(row.Id, DealProposal.FromCbor(row.Proposal), row.Client, row.Provider, row.State);
                tree.Market.Deals[row.Id] = deal;
                tree.Market.ProposalCids.Add(deal.Proposal.Cid());
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or NullReferenceException or InvalidOperationException)
        {
            throw new ChainException($"the devnet database's state does not parse: {e.Message}", e);
        }

        tree.Dirty.Clear();
        return tree;
    }

    private static string MarketJson(MarketState market)
    {
        var balances = new JsonObject();
        foreach (var (id, escrow) in market.Balances.OrderBy(b => b.Key))
        {
            balances[id.ToString(CultureInfo.InvariantCulture)] = new JsonArray(escrow.Total.ToString(CultureInfo.InvariantCulture), escrow.Locked.ToString(CultureInfo.InvariantCulture));
        }

        return new JsonObject { ["NextDealId"] = market.NextDealId, ["Balances"] = balances }.ToJsonString();
    }

    private static void LoadMarket(MarketState market, string json)
    {
        var node = JsonNode.Parse(json)!;
        market.NextDealId = node["NextDealId"]!.GetValue<ulong>();
        foreach (var (id, value) in node["Balances"]!.AsObject())
        {
            var pair = value!.AsArray();
            market.Balances[ulong.Parse(id, CultureInfo.InvariantCulture)] =
                new Escrow(BigInteger.Parse(pair[0]!.GetValue<string>(), CultureInfo.InvariantCulture), BigInteger.Parse(pair[1]!.GetValue<string>(), CultureInfo.InvariantCulture));
        }
    }
}
