using Orleans.Concurrency;

namespace Granary.Grains.Sectors;

/// <summary>
/// One sector's sealing state machine, keyed by the sector's name (<c>s-t01000-5</c>, <see cref="Storage.SectorId.Name"/>),
/// placed on sealing silos. It walks lotus-miner's states from Packing to Proving by itself once started; each transition
/// is persisted before its effect runs, and a watchdog reminder resumes it on another silo after a crash.
/// </summary>
[Alias("granary.ISectorGrain")]
public interface ISectorGrain : IGrainWithStringKey
{
    /// <summary>Starts the sector (a committed-capacity sector goes to Packing). Starting a started sector does nothing.</summary>
    /// <param name="sealProof">The seal proof id (the miner's sector size).</param>
    /// <exception cref="ArgumentException">Not a supported proof type, or the key is not a sector name.</exception>
    [Alias("Start")]
    Task Start(int sealProof);

    /// <summary>
    /// Starts a deal sector: it waits in <see cref="SectorState.WaitDeals"/> for pieces. Starting a started sector does nothing.
    /// </summary>
    /// <param name="sealProof">The seal proof id (the miner's sector size).</param>
    /// <exception cref="ArgumentException">Not a supported proof type, or the key is not a sector name.</exception>
    [Alias("StartDeals")]
    Task StartDeals(int sealProof);

    /// <summary>
    /// For the deal-sector planner: records a deal's piece (persisted before it is written) and writes it in
    /// <see cref="SectorState.AddPiece"/>. A piece of a deal the sector already holds is not added again.
    /// </summary>
    /// <exception cref="InvalidOperationException">The sector does not take pieces (not a deal sector, or sealing already),
    /// or the piece's offset is not where the next piece goes.</exception>
    [Alias("AddDealPiece")]
    Task AddDealPiece(SectorDealPiece piece);

    /// <summary>
    /// For the deal-sector planner: no more pieces come; once its pieces are written the sector goes on to Packing and
    /// seals. Asking again does nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not a deal sector, or it holds no piece.</exception>
    [Alias("StartSealing")]
    Task StartSealing(string reason);

    /// <summary>The sector now, or null if it was never started.</summary>
    [Alias("Status")]
    Task<SectorSnapshot?> Status();

    /// <summary>The chain's view of the sector: whether it is pre-committed or proven (on chain) and proven and not faulty (active).</summary>
    [Alias("OnChain")]
    Task<SectorChainStatus> OnChain();

    /// <summary>
    /// <c>sectors remove</c>: stops the pipeline and deletes the sector's files on every silo. On chain nothing happens (the
    /// devnet has no TerminateSectors); a proven sector removed this way becomes faulty at its next deadline.
    /// </summary>
    /// <exception cref="InvalidOperationException">The sector was never started.</exception>
    [Alias("Remove")]
    Task Remove();

    /// <summary>For the proving subsystem: the sector (in Proving) was found unreadable or declared faulty; enters FaultReported.</summary>
    [Alias("ReportFault")]
    Task ReportFault(string reason);

    /// <summary>For the proving subsystem: a FaultReported sector was proven again; back to Proving.</summary>
    [Alias("ReportRecovered")]
    Task ReportRecovered();

    /// <summary>From the pre-commit batcher: what became of the message carrying this sector.</summary>
    [Alias("PreCommitLanded"), OneWay]
    Task PreCommitLanded(BatchOutcome outcome);

    /// <summary>From the commit batcher: what became of the message carrying this sector's proof.</summary>
    [Alias("CommitLanded"), OneWay]
    Task CommitLanded(BatchOutcome outcome);
}
