namespace Granary.Grains.Sealing.Workers;

/// <summary>
/// A heavy sealing stage that runs on a sealing silo's worker pool. The wire names are lotus's
/// <c>sealtasks</c> task types (<see cref="SealingTaskTypes.Name"/>), so <c>sealing jobs</c> output and the
/// <c>Filecoin.WorkerJobs</c> answer read as lotus-miner's do.
/// </summary>
public enum SealingTaskType
{
    /// <summary><c>seal/v0/addpiece</c>: write a piece (Fr32-padded) into the unsealed sector file.</summary>
    AddPiece,

    /// <summary><c>seal/v0/precommit/1</c>: tree D and the SDR layers.</summary>
    PreCommit1,

    /// <summary><c>seal/v0/precommit/2</c>: tree C, the replica, tree R-last and CommR.</summary>
    PreCommit2,

    /// <summary><c>seal/v0/commit/1</c>: open the challenged nodes (vanilla PoRep).</summary>
    Commit1,

    /// <summary><c>seal/v0/commit/2</c>: the proof bytes sent on chain.</summary>
    Commit2,

    /// <summary><c>seal/v0/finalize</c>: drop the layers and trees PoSt does not need.</summary>
    Finalize,

    /// <summary><c>seal/v0/unseal</c>: re-derive the labels and decode the replica.</summary>
    Unseal,
}
