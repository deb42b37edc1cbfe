namespace Granary.Grains.Sectors;

/// <summary>
/// A sector's state in the sealing pipeline, with lotus-miner's names (lotus <c>storage/pipeline/sector_state.go</c>),
/// so <c>sectors list</c> and <c>sectors status</c> read as lotus's do. Only the states Granary's pipeline enters are
/// listed; the wire form (JSON API, grain state) is the name.
/// </summary>
public enum SectorState
{
    /// <summary>Not started (no such sector).</summary>
    Undefined,

    /// <summary>Waiting for deals to fill the sector.</summary>
    WaitDeals,

    /// <summary>Writing a deal's piece into the unsealed sector file.</summary>
    AddPiece,

    /// <summary>Filling the rest of the sector with zeros (all of it for a committed-capacity sector).</summary>
    Packing,

    /// <summary>Drawing the seal ticket from chain randomness.</summary>
    GetTicket,

    /// <summary>Tree D and the SDR layers (worker pool).</summary>
    PreCommit1,

    /// <summary>Tree C, the replica, tree R-last and CommR (worker pool).</summary>
    PreCommit2,

    /// <summary>Handing the pre-commit to the miner's pre-commit batcher.</summary>
    SubmitPreCommitBatch,

    /// <summary>Waiting for the batch's PreCommitSectorBatch message to land.</summary>
    PreCommitBatchWait,

    /// <summary>Waiting for the chain to pass the interactive seed epoch.</summary>
    WaitSeed,

    /// <summary>Commit1 and Commit2: the seal proof (worker pool).</summary>
    Committing,

    /// <summary>Handing the proof to the miner's commit batcher.</summary>
    SubmitCommit,

    /// <summary>Waiting for the batch's ProveCommitSectors3 message to land.</summary>
    CommitWait,

    /// <summary>Dropping the layers and trees PoSt does not need and moving the replica to long-term storage.</summary>
    FinalizeSector,

    /// <summary>Sealed, on chain, proven by the proving subsystem's WindowPoSts.</summary>
    Proving,

    /// <summary>AddPiece or Packing failed; retried after a back-off.</summary>
    AddPieceFailed,

    /// <summary>GetTicket or PreCommit1 failed; retried after a back-off.</summary>
    SealPreCommit1Failed,

    /// <summary>PreCommit2 failed; retried after a back-off.</summary>
    SealPreCommit2Failed,

    /// <summary>The pre-commit message failed or did not land; retried after a back-off.</summary>
    PreCommitFailed,

    /// <summary>Commit1/Commit2 failed; retried after a back-off.</summary>
    ComputeProofFailed,

    /// <summary>The prove-commit message failed or did not land; retried after a back-off.</summary>
    CommitFailed,

    /// <summary>Finalize or the move to long-term storage failed; retried after a back-off.</summary>
    FinalizeFailed,

    /// <summary>The proving subsystem found the sector unreadable and declared (or is declaring) it faulty.</summary>
    FaultReported,

    /// <summary>Removing the sector's files from every silo (<c>sectors remove</c>).</summary>
    Removing,

    /// <summary>Removing files failed; retried after a back-off.</summary>
    RemoveFailed,

    /// <summary>Its files are gone; terminal.</summary>
    Removed,
}

/// <summary>What each <see cref="SectorState"/> means to the pipeline.</summary>
public static class SectorStates
{
    /// <summary>States in which the pipeline has nothing more to do (no watchdog reminder is kept).</summary>
    public static bool IsTerminal(this SectorState state) => state is SectorState.Proving or SectorState.Removed or SectorState.FaultReported;

    /// <summary>The <c>*Failed</c> states.</summary>
    public static bool IsFailure(this SectorState state) => state is SectorState.AddPieceFailed or SectorState.SealPreCommit1Failed
        or SectorState.SealPreCommit2Failed or SectorState.PreCommitFailed or SectorState.ComputeProofFailed or SectorState.CommitFailed
        or SectorState.FinalizeFailed or SectorState.RemoveFailed;

    /// <summary>The failure state a step's error leads to (lotus's routing in <c>fsm.go</c>).</summary>
    public static SectorState FailureOf(this SectorState state) => state switch
    {
        SectorState.WaitDeals or SectorState.AddPiece or SectorState.Packing => SectorState.AddPieceFailed,
        SectorState.GetTicket or SectorState.PreCommit1 => SectorState.SealPreCommit1Failed,
        SectorState.PreCommit2 => SectorState.SealPreCommit2Failed,
        SectorState.SubmitPreCommitBatch or SectorState.PreCommitBatchWait or SectorState.WaitSeed => SectorState.PreCommitFailed,
        SectorState.Committing => SectorState.ComputeProofFailed,
        SectorState.SubmitCommit or SectorState.CommitWait => SectorState.CommitFailed,
        SectorState.FinalizeSector => SectorState.FinalizeFailed,
        SectorState.Removing => SectorState.RemoveFailed,
        _ => state,
    };

    /// <summary>lotus's stats bucket (<c>toStatState</c>): staging, sealing, proving or failed.</summary>
    public static string Bucket(this SectorState state) => state switch
    {
        SectorState.Undefined or SectorState.WaitDeals or SectorState.AddPiece => "staging",
        SectorState.Proving or SectorState.Removing or SectorState.Removed or SectorState.FaultReported => "proving",
        _ when state.IsFailure() => "failed",
        _ => "sealing",
    };
}
