using System.Globalization;
using System.Numerics;
using Granary.Filecoin.Chain;
using Granary.Grains.Deals;
using Granary.Grains.Placement;
using Granary.Silo.Api;

namespace Granary.Silo.Hosting;

/// <summary>
/// lotus-miner's <c>MarketSetAsk</c> (admin) and <c>MarketGetAsk</c> (read), and Granary's <c>MarketListDeals</c> and
/// <c>MarketDealStatus</c> (read): the storage ask of the repo's miner and its deals, from the cluster's grains (so
/// any silo answers for every gateway's deals).
/// </summary>
internal static class DealMethods
{
    /// <summary>Most deals one <c>MarketListDeals</c> call returns.</summary>
    public const int MaxListed = 10_000;

    public static IEnumerable<RpcMethod> Create(SiloIdentity identity, IGrainFactory grains) =>
    [
        new("Filecoin.MarketSetAsk", Permission.Admin, async (p, _) =>
        {
            var settings = new AskSettings(Big(p, 0, "price"), Big(p, 1, "verified price"), p.Get<long>(2, "duration"),
                p.Get<long>(3, "min piece size"), p.Get<long>(4, "max piece size"));
            return Describe(await Call(() => grains.GetGrain<IStorageAskGrain>(Miner(identity)).SetAsk(settings)));
        }),
        new("Filecoin.MarketGetAsk", Permission.Read, async (_, _) =>
            Describe(await Call(() => grains.GetGrain<IStorageAskGrain>(Miner(identity)).GetSignedAsk()))),
        new("Filecoin.MarketListDeals", Permission.Read, async (p, _) =>
        {
            var offset = p.Count > 0 ? p.Get<int>(0, "offset") : 0;
            var limit = p.Count > 1 ? p.Get<int>(1, "limit") : 1000;
            if (offset < 0 || limit is < 0 or > MaxListed)
            {
                throw new RpcException(RpcException.InvalidParams, $"offset must be ≥ 0 and limit 0 to {MaxListed}");
            }

            var directory = grains.GetGrain<IDealDirectoryGrain>(Miner(identity));
            var info = await Call(directory.Describe);
            var deals = await Call(() => directory.List(offset, limit));
            var sealing = await Call(directory.DescribeSealing);
            return new
            {
                info.Miner,
                Total = info.Deals,
                info.StagingBytesReserved,
                info.Transfers,
                // What MaxSealingSectorsForDeals is checked against; unknown until a sealing silo has reported.
                SealingKnown = sealing.Known,
                SealingSectors = sealing.SealingSectors,
                SectorsNeeded = sealing.SectorsNeeded,
                Deals = deals.Select(Describe).ToArray(),
            };
        }),
        new("Filecoin.MarketDealStatus", Permission.Read, async (p, _) =>
        {
            var text = p.Get<string>(0, "deal UUID");
            if (!Guid.TryParseExact(text, "D", out var uuid))
            {
                throw new RpcException(RpcException.InvalidParams, $"'{text}' is not a deal UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
            }

            var deal = await Call(() => grains.GetGrain<IDealGrain>(uuid).GetStatus())
                ?? throw new RpcException(RpcException.MethodError, $"no deal {uuid}");
            return Describe(deal);
        }),
    ];

    private static string Miner(SiloIdentity identity) => MarketsProtocols.Miner(identity) is { Length: > 0 } miner ? miner
        : throw new RpcException(RpcException.MethodError,
            $"this silo's repo {identity.Repo.Root} has no miner: run `granary init --repo {identity.Repo.Root}` (with the silo stopped)");

    private static BigInteger Big(RpcParams p, int index, string name)
    {
        var text = p.Get<string>(index, name);
        return BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
            : throw new RpcException(RpcException.InvalidParams, $"{name} '{text}' is not an integer amount of attoFIL");
    }

    // The grains' refusals are the caller's answer (one line), not a server fault.
    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is DealmakingException or SubsystemUnavailableException or TimeoutException)
        {
            throw new RpcException(RpcException.MethodError, e.Message);
        }
    }

    private static object Describe(SignedAsk signed) => new
    {
        Ask = new
        {
            Price = signed.Ask.Price.ToString(CultureInfo.InvariantCulture),
            VerifiedPrice = signed.Ask.VerifiedPrice.ToString(CultureInfo.InvariantCulture),
            signed.Ask.MinPieceSize,
            signed.Ask.MaxPieceSize,
            signed.Ask.Miner,
            signed.Ask.Timestamp,
            signed.Ask.Expiry,
            signed.Ask.SeqNo,
        },
        Signature = new { Type = (int)signed.Signature[0], Data = Convert.ToBase64String(signed.Signature.AsSpan(1)) },
        signed.Worker,
    };

    private static object Describe(DealSummary d) => new
    {
        d.CreatedAt,
        DealUuid = d.DealUuid.ToString(),
        d.Client,
        d.Provider,
        d.PieceCid,
        d.PieceSize,
        PricePerEpoch = d.PricePerEpoch.ToString(CultureInfo.InvariantCulture),
        d.StartEpoch,
        d.EndEpoch,
        d.Duration,
        Checkpoint = d.Checkpoint.ToString(),
        d.Error,
        d.IsOffline,
        d.TransferSize,
        d.ChainDealId,
        d.Gateway,
        d.SealingStatus,
    };

    private static object Describe(DealSnapshot deal)
    {
        var proposal = ClientDealProposal.FromCbor(deal.Deal.ClientDealProposal).Proposal;
        return new
        {
            Deal = Describe(deal.Summary),
            deal.SignedProposalCid,
            ProposalCid = proposal.Cid().ToString(),
            Label = proposal.Label.Text ?? Convert.ToHexStringLower(proposal.Label.Bytes ?? []),
            ClientCollateral = proposal.ClientCollateral.AttoFil.ToString(CultureInfo.InvariantCulture),
            ProviderCollateral = proposal.ProviderCollateral.AttoFil.ToString(CultureInfo.InvariantCulture),
            deal.Deal.DealDataRoot,
            TransferType = deal.Deal.Transfer.Type,
            deal.NBytesReceived,
            deal.PublishCid,
            deal.SealingStatus,
            deal.SectorNumber,
            deal.Deal.RemoveUnsealedCopy,
            deal.Deal.SkipIpniAnnounce,
            deal.Deal.ClientPeer,
            deal.Deal.Protocol,
            deal.UpdatedAt,
            History = deal.History.Select(h => new { Checkpoint = h.Checkpoint.ToString(), h.At, h.Note, h.Silo }).ToArray(),
        };
    }
}
