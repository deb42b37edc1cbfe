namespace Granary.Grains.Proving;

/// <summary>The persisted state of <see cref="DeadlineGrain"/>: what was declared and submitted in the current and the previous period.</summary>
[GenerateSerializer, Alias("granary.DeadlineGrainState")]
public sealed class DeadlineGrainState
{
    /// <summary>The period whose window is open or next.</summary>
    [Id(0)] public DeadlinePeriod? Current { get; set; }

    /// <summary>The period before, kept for <c>proving deadlines</c>.</summary>
    [Id(1)] public DeadlinePeriod? Previous { get; set; }
}

/// <summary>One deadline in one proving period: its window, its checks, declarations and WindowPoSt messages.</summary>
[GenerateSerializer, Alias("granary.DeadlinePeriod")]
public sealed class DeadlinePeriod
{
    /// <summary>The window.</summary>
    [Id(0)] public required DeadlineWindow Window { get; set; }

    /// <summary>Whether this period's fault and recovery check ran (and its declarations were sent).</summary>
    [Id(1)] public bool Checked { get; set; }

    /// <summary>Whether every partition with provable sectors is proven on chain for this period.</summary>
    [Id(2)] public bool Proven { get; set; }

    /// <summary>The sectors found unreadable by the last check (number → reason).</summary>
    [Id(3)] public Dictionary<ulong, string> Unreadable { get; set; } = [];

    /// <summary>How many sectors the last check read, and at which epoch.</summary>
    [Id(4)] public int CheckedSectors { get; set; }

    /// <summary>The epoch of the last check.</summary>
    [Id(5)] public long CheckedAt { get; set; } = -1;

    /// <summary>DeclareFaults and DeclareFaultsRecovered messages.</summary>
    [Id(6)] public List<DeclarationAttempt> Declarations { get; set; } = [];

    /// <summary>SubmitWindowedPoSt messages, each recorded before it is sent.</summary>
    [Id(7)] public List<PoStAttempt> Posts { get; set; } = [];

    /// <summary>The last error of a step, with its epoch.</summary>
    [Id(8)] public string? LastError { get; set; }
}

/// <summary>Where a message of the deadline grain stands.</summary>
public enum MessageStatus
{
    /// <summary>Recorded and being sent (or, after a restart, sent by an activation that is gone: not known to have landed).</summary>
    Sending,

    /// <summary>Pushed, not yet landed when the miner grain stopped waiting.</summary>
    Pending,

    /// <summary>Landed with exit code 0 (or its partitions were seen proven on chain).</summary>
    Landed,

    /// <summary>Failed or never landed; its work is done again while the window allows.</summary>
    Failed,
}

/// <summary>One SubmitWindowedPoSt: its partitions, the silo that proved them and the message.</summary>
[GenerateSerializer, Alias("granary.PoStAttempt")]
public sealed class PoStAttempt
{
    /// <summary>Identifies the attempt within the grain.</summary>
    [Id(0)] public Guid Id { get; set; } = Guid.NewGuid();

    /// <summary>The partitions proven.</summary>
    [Id(1)] public List<ulong> Partitions { get; set; } = [];

    /// <summary>The silo whose worker computed the proof.</summary>
    [Id(2)] public string Silo { get; set; } = "";

    /// <summary>How many sectors the proof covers.</summary>
    [Id(3)] public int ProvenSectors { get; set; }

    /// <summary>Sectors the proof skipped (declared faulty by it), with why.</summary>
    [Id(4)] public Dictionary<ulong, string> Skipped { get; set; } = [];

    /// <summary>Where the message stands.</summary>
    [Id(5)] public MessageStatus Status { get; set; }

    /// <summary>The head when it was recorded, just before it was sent.</summary>
    [Id(6)] public long Epoch { get; set; }

    /// <summary>The message CID once known.</summary>
    [Id(7)] public string? Message { get; set; }

    /// <summary>The epoch it landed in.</summary>
    [Id(8)] public long Height { get; set; } = -1;

    /// <summary>Why it failed.</summary>
    [Id(9)] public string? Error { get; set; }

    /// <summary>Sectors declared recovered that the proof covers: healthy again once it lands.</summary>
    [Id(10)] public List<ulong> Recovering { get; set; } = [];
}

/// <summary>One DeclareFaults (10) or DeclareFaultsRecovered (11) message.</summary>
[GenerateSerializer, Alias("granary.DeclarationAttempt")]
public sealed class DeclarationAttempt
{
    /// <summary>Identifies the attempt within the grain.</summary>
    [Id(0)] public Guid Id { get; set; } = Guid.NewGuid();

    /// <summary>The miner method: 10 (faults) or 11 (recoveries).</summary>
    [Id(1)] public ulong Method { get; set; }

    /// <summary>The sectors declared, by partition.</summary>
    [Id(2)] public Dictionary<ulong, List<ulong>> Sectors { get; set; } = [];

    /// <summary>Where the message stands.</summary>
    [Id(3)] public MessageStatus Status { get; set; }

    /// <summary>The head when it was sent.</summary>
    [Id(4)] public long Epoch { get; set; }

    /// <summary>The message CID once known.</summary>
    [Id(5)] public string? Message { get; set; }

    /// <summary>The epoch it landed in.</summary>
    [Id(6)] public long Height { get; set; } = -1;

    /// <summary>Why it failed.</summary>
    [Id(7)] public string? Error { get; set; }
}
