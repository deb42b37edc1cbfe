using Orleans.Concurrency;

namespace Granary.Grains.Proving;

/// <summary>
/// The proving of one miner (key: the miner address, <c>t01000</c>), on mining silos. Each head change (from the
/// head service every mining silo runs) makes it tell the deadline grains concerned — the open deadline and the
/// next ones whose faults must be declared — and compute a WinningPoSt when the head names the miner as a block's
/// miner. A reminder is its watchdog: it re-reads the head every minute, and a scheduler activated after a
/// restart acts on the current head at once.
/// </summary>
[Alias("granary.IProvingSchedulerGrain")]
public interface IProvingSchedulerGrain : IGrainWithStringKey
{
    /// <summary>Registers the watchdog reminder and acts on the current head.</summary>
    [Alias("Start")]
    Task<ProvingStatus> Start();

    /// <summary>A new head. Heads are coalesced: a burst is acted on once, at its newest.</summary>
    [Alias("OnHead")]
    [OneWay]
    Task OnHead(HeadNotice head);

    /// <summary>The heads given and acted on, and the last WinningPoSt.</summary>
    [Alias("Status")]
    Task<ProvingStatus> Status();

    /// <summary>What <c>proving info</c> shows, read from the chain now.</summary>
    [Alias("Info")]
    [ResponseTimeout("00:02:00")]
    Task<ProvingInfo> Info();

    /// <summary>Every deadline of the current period (<c>proving deadlines</c>).</summary>
    [Alias("Deadlines")]
    [ResponseTimeout("00:02:00")]
    Task<DeadlineRow[]> Deadlines();

    /// <summary>Every faulty sector (<c>proving faults</c>).</summary>
    [Alias("Faults")]
    [ResponseTimeout("00:02:00")]
    Task<FaultySector[]> Faults();

    /// <summary>Checks the sectors of one deadline now (<c>proving check</c>).</summary>
    /// <exception cref="ProvingException">No such deadline.</exception>
    [Alias("Check")]
    [ResponseTimeout("00:30:00")]
    Task<SectorCheckLine[]> Check(ulong deadline);
}
