namespace Granary.Chain.Model;

/// <summary>
/// The network constants an SP's timing depends on. <see cref="Mainnet"/> is Filecoin's policy
/// (reference/filecoin.md §5); <see cref="Devnet"/> is Lotus's 2k devnet with a short proving period so tests
/// and the embedded default see every deadline within minutes. The deadline arithmetic is the same for both.
/// </summary>
public sealed record ChainPolicy
{
    /// <summary>Seconds between epochs.</summary>
    public int BlockDelaySeconds { get; init; } = 30;

    /// <summary>Epochs in a proving period.</summary>
    public long WPoStProvingPeriod { get; init; } = 2880;

    /// <summary>Epochs per deadline's challenge window.</summary>
    public long WPoStChallengeWindow { get; init; } = 60;

    /// <summary>Deadlines per proving period.</summary>
    public long WPoStPeriodDeadlines { get; init; } = 48;

    /// <summary>How far before a deadline opens its challenge is drawn.</summary>
    public long WPoStChallengeLookback { get; init; } = 20;

    /// <summary>How far before a deadline opens faults must be declared.</summary>
    public long FaultDeclarationCutoff { get; init; } = 70;

    /// <summary>Epochs between pre-commit and the interactive seed.</summary>
    public long PreCommitChallengeDelay { get; init; } = 150;

    /// <summary>Epochs within which a pre-committed sector must be proven.</summary>
    public long MaxProveCommitDuration { get; init; } = (30 * 2880) + 150;

    /// <summary>Sectors per pre-commit batch.</summary>
    public int PreCommitSectorBatchMaxSize { get; init; } = 256;

    /// <summary>Partitions one SubmitWindowedPoSt may prove.</summary>
    public int PoStedPartitionsMax { get; init; } = 3;

    /// <summary>How far before its pre-commit a sector's seal ticket may be drawn (one day + finality).</summary>
    public long MaxPreCommitRandomnessLookback { get; init; } = 2880 + 900;

    /// <summary>Shortest lifetime a sector may be committed for, counted from its latest possible activation.</summary>
    public long MinSectorExpiration { get; init; } = 180 * 2880;

    /// <summary>Furthest after the current epoch a sector's expiration may lie.</summary>
    public long MaxSectorExpirationExtension { get; init; } = 1278 * 2880;

    /// <summary>How long a sector may stay faulty before it is terminated.</summary>
    public long FaultMaxAge { get; init; } = 2880 * 42;

    /// <summary>Filecoin's mainnet policy.</summary>
    public static ChainPolicy Mainnet { get; } = new();

    /// <summary>
    /// The devnet: 4 s blocks and <c>PreCommitChallengeDelay</c> 10 as Lotus's 2k build; 48 deadlines of 10
    /// epochs (a 480-epoch, 32-minute proving period) instead of 60-epoch windows, with lookback 4 and fault
    /// cutoff 6, scaled from mainnet's so their order is the same. Sectors may live as little as two proving
    /// periods and are terminated after three periods faulty, so expiry and fault termination happen within hours.
    /// </summary>
    public static ChainPolicy Devnet { get; } = new()
    {
        BlockDelaySeconds = 4,
        WPoStChallengeWindow = 10,
        WPoStProvingPeriod = 480,
        WPoStChallengeLookback = 4,
        FaultDeclarationCutoff = 6,
        PreCommitChallengeDelay = 10,
        MaxProveCommitDuration = 480 * 3,
        MinSectorExpiration = 480 * 2,
        FaultMaxAge = 480 * 3,
    };
}
