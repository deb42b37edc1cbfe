using Granary.Grains.Sealing.Workers;

namespace Granary.Grains.Sectors;

/// <summary>The persisted state of a <see cref="SectorGrain"/>; every field is written before the step it enables runs.</summary>
[GenerateSerializer, Alias("granary.SectorGrainState")]
public sealed class SectorGrainState
{
    /// <summary>The state the sector is in.</summary>
    [Id(0)] public SectorState State { get; set; }

    /// <summary>Bumped by every transition; a step whose result comes back after another transition is discarded.</summary>
    [Id(1)] public long Version { get; set; }

    /// <summary>The seal proof id (<c>SealProofType.Id</c>).</summary>
    [Id(2)] public int SealProof { get; set; }

    /// <summary>When the sector was started.</summary>
    [Id(3)] public DateTimeOffset Created { get; set; }

    /// <summary>Every transition, oldest first.</summary>
    [Id(4)] public List<SectorHistoryEntry> History { get; set; } = [];

    /// <summary>The pieces, in order (one zero piece of the sector's size for committed capacity).</summary>
    [Id(5)] public List<SectorPiece> Pieces { get; set; } = [];

    /// <summary>The seal ticket (chain randomness, SealRandomness tag) and its epoch.</summary>
    [Id(6)] public byte[]? Ticket { get; set; }

    /// <inheritdoc cref="Ticket" />
    [Id(7)] public long TicketEpoch { get; set; }

    /// <summary>The interactive seal seed and its epoch (pre-commit epoch + PreCommitChallengeDelay).</summary>
    [Id(8)] public byte[]? Seed { get; set; }

    /// <inheritdoc cref="Seed" />
    [Id(9)] public long SeedEpoch { get; set; }

    /// <summary>The unsealed commitment (from PreCommit1).</summary>
    [Id(10)] public byte[]? CommD { get; set; }

    /// <summary>The replica id (from PreCommit1), which Commit1 needs.</summary>
    [Id(11)] public byte[]? ReplicaId { get; set; }

    /// <summary>The sealed commitment and its halves (from PreCommit2).</summary>
    [Id(12)] public byte[]? CommR { get; set; }

    /// <inheritdoc cref="CommR" />
    [Id(13)] public byte[]? CommC { get; set; }

    /// <inheritdoc cref="CommR" />
    [Id(14)] public byte[]? CommRLast { get; set; }

    /// <summary>The seal proof bytes (from Commit2), dropped once the sector is proven on chain.</summary>
    [Id(15)] public byte[]? Proof { get; set; }

    /// <summary>The expiration epoch pre-committed.</summary>
    [Id(16)] public long Expiration { get; set; }

    /// <summary>The PreCommitSectorBatch message that carried the sector, once known, and the epoch it landed in.</summary>
    [Id(17)] public string? PreCommitMessage { get; set; }

    /// <inheritdoc cref="PreCommitMessage" />
    [Id(18)] public long PreCommitEpoch { get; set; }

    /// <summary>The ProveCommitSectors3 message that proved the sector, once known.</summary>
    [Id(19)] public string? CommitMessage { get; set; }

    /// <summary>The activation epoch on chain.</summary>
    [Id(20)] public long Activation { get; set; }

    /// <summary>Failures so far (lotus's <c>Retries</c>) and those since the last successful step.</summary>
    [Id(21)] public int Failures { get; set; }

    /// <inheritdoc cref="Failures" />
    [Id(22)] public int ConsecutiveFailures { get; set; }

    /// <summary>The last error text (lotus's <c>LastErr</c>); kept after recovery.</summary>
    [Id(23)] public string LastError { get; set; } = "";

    /// <summary>The state a <c>*Failed</c> state retries, and when.</summary>
    [Id(24)] public SectorState RetryState { get; set; }

    /// <inheritdoc cref="RetryState" />
    [Id(25)] public DateTimeOffset? RetryAt { get; set; }

    /// <summary>The silo holding the sector's scratch files (set when Packing and PreCommit1 write them there).</summary>
    [Id(26)] public ScratchHolder? ScratchHolder { get; set; }

    /// <summary>Since when the scratch holder is known to be gone (see <see cref="ScratchSiloWatch"/>).</summary>
    [Id(27)] public DateTimeOffset? ScratchGoneSince { get; set; }

    /// <summary>How many times the sector restarted from its pieces because its scratch was lost.</summary>
    [Id(28)] public int Restarts { get; set; }

    /// <summary>The last fault the proving subsystem reported.</summary>
    [Id(29)] public string FaultReason { get; set; } = "";

    /// <summary>The state before <see cref="SectorState.Removing"/> or <see cref="SectorState.FaultReported"/>.</summary>
    [Id(30)] public SectorState Before { get; set; }

    /// <summary>A deal sector's deal pieces, in sector order, each recorded before it is written.</summary>
    [Id(31)] public List<SectorDealPiece> Deals { get; set; } = new List<SectorDealPiece>();

    /// <summary>How many of <see cref="Deals"/> (from the first) are written into the unsealed file.</summary>
    [Id(32)] public int DealsWritten { get; set; }

    /// <summary>Whether this is a deal sector (started in <see cref="SectorState.WaitDeals"/>).</summary>
    [Id(33)] public bool DealSector { get; set; }

    /// <summary>Whether the planner asked the deal sector to seal (no more pieces), and why.</summary>
    [Id(34)] public bool SealRequested { get; set; }

    /// <inheritdoc cref="SealRequested" />
    [Id(35)] public string SealReason { get; set; } = "";
}
