using Granary.Grains.Deals;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Sectors;

// A deal sector tells its miner's deal-sector planner when it leaves sealing (Proving, or removed), so the count of sectors
// sealing for deals that [Dealmaking] MaxSealingSectorsForDeals is checked against drops at once.
public sealed partial class SectorGrain
{
    private void TellPlanner(SectorState next)
    {
        if (!S.DealSector || !DealSectorPlannerGrain.LeftSealing(next))
        {
            return;
        }

        try
        {
            var planner = GrainFactory.GetGrain<IDealSectorPlannerGrain>(MinerAddress.ToString(options.AddressNetwork));
            _ = planner.SectorChanged(new SectorStateNotice(_id.Number, next.ToString(), DateTimeOffset.UtcNow)); // one-way
        }
        catch (Exception e)
        {
            LogPlannerNoticeFailed(e, _id.Name); // the planner also asks its sectors on its reminder
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "sector {Sector}: telling the deal-sector planner it left sealing failed")]
    private partial void LogPlannerNoticeFailed(Exception error, string sector);
}
