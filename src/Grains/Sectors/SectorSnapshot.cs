namespace Granary.Grains.Sectors;

/// <summary>A sector as <c>sectors status</c> shows it (lotus's <c>SectorInfo</c>, Granary's fields added).</summary>
/// <param name="Miner">The miner's actor id.</param>
/// <param name="Number">The sector number.</param>
/// <param name="State">Its state.</param>
/// <param name="SealProof">The seal proof id.</param>
/// <param name="Created">When it was started.</param>
/// <param name="History">Every transition, oldest first.</param>
/// <param name="Pieces">Its pieces.</param>
/// <param name="Ticket">The seal ticket, or null before GetTicket.</param>
/// <param name="TicketEpoch">Its epoch.</param>
/// <param name="Seed">The seal seed, or null before WaitSeed ends.</param>
/// <param name="SeedEpoch">Its epoch (0 until known).</param>
/// <param name="CommD">CommD, once PreCommit1 ran.</param>
/// <param name="CommR">CommR, once PreCommit2 ran.</param>
/// <param name="PreCommitMessage">The pre-commit message CID, once landed.</param>
/// <param name="PreCommitEpoch">Its epoch.</param>
/// <param name="CommitMessage">The prove-commit message CID, once landed.</param>
/// <param name="Activation">Activation epoch on chain (0 until proven).</param>
/// <param name="Expiration">Expiration epoch (0 until chosen).</param>
/// <param name="Failures">Failures so far (lotus's Retries).</param>
/// <param name="LastError">The last error text.</param>
/// <param name="RetryAt">When a <c>*Failed</c> state retries.</param>
/// <param name="ScratchSilo">The silo holding the scratch files, if any.</param>
/// <param name="Restarts">Restarts from its pieces after its scratch silo was lost.</param>
/// <param name="FaultReason">The last fault the proving subsystem reported.</param>
/// <param name="Stage">The heavy stage running now (worker pool), or empty.</param>
/// <param name="Progress">Its fraction done (0–1).</param>
/// <param name="Silo">The silo hosting the sector grain now.</param>
/// <param name="TransitionMicroseconds">The pipeline's own time for each transition this activation made after a step:
/// from the step's result to the new state persisted (what <c>./bench.sh pipeline</c> reports as transition overhead).</param>
[GenerateSerializer, Immutable, Alias("granary.SectorSnapshot")]
public sealed record SectorSnapshot(
    [property: Id(0)] ulong Miner,
    [property: Id(1)] ulong Number,
    [property: Id(2)] SectorState State,
    [property: Id(3)] int SealProof,
    [property: Id(4)] DateTimeOffset Created,
    [property: Id(5)] IReadOnlyList<SectorHistoryEntry> History,
    [property: Id(6)] IReadOnlyList<SectorPiece> Pieces,
    [property: Id(7)] byte[]? Ticket,
    [property: Id(8)] long TicketEpoch,
    [property: Id(9)] byte[]? Seed,
    [property: Id(10)] long SeedEpoch,
    [property: Id(11)] byte[]? CommD,
    [property: Id(12)] byte[]? CommR,
    [property: Id(13)] string? PreCommitMessage,
    [property: Id(14)] long PreCommitEpoch,
    [property: Id(15)] string? CommitMessage,
    [property: Id(16)] long Activation,
    [property: Id(17)] long Expiration,
    [property: Id(18)] int Failures,
    [property: Id(19)] string LastError,
    [property: Id(20)] DateTimeOffset? RetryAt,
    [property: Id(21)] string? ScratchSilo,
    [property: Id(22)] int Restarts,
    [property: Id(23)] string FaultReason,
    [property: Id(24)] string Stage,
    [property: Id(25)] double Progress,
    [property: Id(26)] string Silo,
    [property: Id(27)] long[] TransitionMicroseconds);
