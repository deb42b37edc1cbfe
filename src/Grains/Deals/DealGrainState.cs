namespace Granary.Grains.Deals;

/// <summary>The persisted state of <see cref="DealGrain"/>; <see cref="Deal"/> is null until a proposal is accepted.</summary>
[GenerateSerializer, Alias("granary.DealGrainState")]
public sealed class DealGrainState
{
    /// <summary>The accepted proposal; null while no proposal was accepted under this UUID.</summary>
    [Id(0)] public ProposedDeal? Deal { get; set; }

    /// <summary>Where the deal is.</summary>
    [Id(1)] public DealCheckpoint Checkpoint { get; set; }

    /// <summary>Why it failed; empty while it has not.</summary>
    [Id(2)] public string Error { get; set; } = "";

    /// <summary>The listed fields (kept in step with the directory).</summary>
    [Id(3)] public DealSummary? Summary { get; set; }

    /// <summary>The CID of the signed proposal.</summary>
    [Id(4)] public string SignedProposalCid { get; set; } = "";

    /// <summary>The publish message, once sent.</summary>
    [Id(5)] public string PublishCid { get; set; } = "";

    /// <summary>The sector's state name, once the piece is in one.</summary>
    [Id(6)] public string SealingStatus { get; set; } = "";

    /// <summary>The sector holding the piece.</summary>
    [Id(7)] public ulong? SectorNumber { get; set; }

    /// <summary>Bytes of data received.</summary>
    [Id(8)] public ulong NBytesReceived { get; set; }

    /// <summary>When the deal last changed.</summary>
    [Id(9)] public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The steps so far, oldest first.</summary>
    [Id(10)] public List<DealHistoryEntry> History { get; set; } = new();

    /// <summary>The directory's listing page of this deal.</summary>
    [Id(11)] public int ListPage { get; set; }

    /// <summary>The sector reported a state after <c>Packing</c>: its unsealed copy holds the data, so staging may go.</summary>
    [Id(12)] public bool SectorPastPacking { get; set; }

    /// <summary>The staged copy was dealt with (deleted, or left because it is the operator's imported file).</summary>
    [Id(13)] public bool StagingReleased { get; set; }

    /// <summary>When the sector last reported a state.</summary>
    [Id(14)] public DateTimeOffset SealingStatusAt { get; set; }
}
