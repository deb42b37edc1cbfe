using Granary.Gateway.Transfer;
using Granary.Grains.Deals;
using Granary.Grains.Placement;
using Granary.Silo.Api;

namespace Granary.Silo.Hosting;

/// <summary>
/// <c>Filecoin.MarketImportDealData</c> (admin): the data of an offline deal from a file on this silo's machine
/// (Boost's <c>BoostOfflineDealWithData</c>, keyed by the deal UUID). Params: the deal UUID, the absolute file path.
/// The file is checked (size, CommP against the proposal) before the deal moves to <c>Transferred</c>.
/// </summary>
internal static class DealDataMethods
{
    public static IEnumerable<RpcMethod> Create(IGrainFactory grains, SiloIdentity identity) =>
    [
        new("Filecoin.MarketImportDealData", Permission.Admin, async (p, ct) =>
        {
            var text = p.Get<string>(0, "dealUuid");
            var path = p.Get<string>(1, "path");
            if (!Guid.TryParse(text, out var deal))
            {
                throw new RpcException(RpcException.InvalidParams, $"'{text}' is not a deal UUID");
            }

            if (!identity.Config.Subsystems.EnableMarkets)
            {
                throw new RpcException(RpcException.MethodError, "this silo is not a markets silo (EnableMarkets = false); import on the gateway that holds the file (--call-on-markets)");
            }

            try
            {
                var snapshot = await DealDataImport.ImportAsync(grains, identity.SiloName, deal, path, cancellationToken: ct);
                return new
                {
                    DealUuid = deal,
                    Checkpoint = snapshot.Summary.Checkpoint.ToString(),
                    NBytesReceived = snapshot.NBytesReceived,
                    snapshot.Summary.PieceCid,
                };
            }
            catch (Exception e) when (e is DealmakingException or TransferFailedException or SubsystemUnavailableException)
            {
                throw new RpcException(RpcException.MethodError, e.Message);
            }
        }),
    ];
}
