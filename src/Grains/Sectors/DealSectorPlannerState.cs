namespace Granary.Grains.Sectors;

/// <summary>The persisted state of a <see cref="DealSectorPlannerGrain"/>; each change is written before its effect.</summary>
[GenerateSerializer, Alias("granary.DealSectorPlannerState")]
public sealed class DealSectorPlannerState
{
    /// <summary>Every deal placed, by deal id (what <c>AddPiece</c> answers again for the same deal).</summary>
    [Id(0)] public Dictionary<ulong, PieceAssignment> Assignments { get; set; } = new Dictionary<ulong, PieceAssignment>();

    /// <summary>The sector in WaitDeals taking pieces now, or null.</summary>
    [Id(1)] public OpenDealSector? Open { get; set; }

    /// <summary>The token of a sector number being allocated (persisted before asking, so a retry gets the same number).</summary>
    [Id(2)] public Guid? Opening { get; set; }

    /// <summary>Sectors told to seal whose sector grain has not confirmed yet, with the reason.</summary>
    [Id(3)] public Dictionary<ulong, string> SealPending { get; set; } = new Dictionary<ulong, string>();

    /// <summary>
    /// The deal sectors opened and not yet <c>Proving</c> (nor removed), with when each was opened: the count the deal
    /// directory refuses proposals on (<c>[Dealmaking] MaxSealingSectorsForDeals</c>).
    /// </summary>
    [Id(4)] public Dictionary<ulong, DateTimeOffset> Sealing { get; set; } = new Dictionary<ulong, DateTimeOffset>();

    /// <summary>Grows with every change to what <see cref="DealSealingLoad"/> reports (the directory keeps the newest).</summary>
    [Id(5)] public long LoadVersion { get; set; }

    /// <summary>How long the last few deal sectors took from opened to <c>Proving</c>, oldest first.</summary>
    [Id(6)] public List<TimeSpan> RecentSealDurations { get; set; } = new List<TimeSpan>();
}

/// <summary>The planner's open deal sector: its number and the pieces placed in it, in order.</summary>
[GenerateSerializer, Alias("granary.OpenDealSector")]
public sealed class OpenDealSector
{
    /// <summary>The sector number.</summary>
    [Id(0)] public ulong Number { get; set; }

    /// <summary>The seal proof id it was opened with.</summary>
    [Id(1)] public int SealProof { get; set; }

    /// <summary>The pieces, in sector order.</summary>
    [Id(2)] public List<SectorDealPiece> Pieces { get; set; } = new List<SectorDealPiece>();

    /// <summary>How many of <see cref="Pieces"/> (from the first) the sector grain has recorded.</summary>
    [Id(3)] public int Delivered { get; set; }

    /// <summary>When its first piece was placed (WaitDealsDelay counts from it).</summary>
    [Id(4)] public DateTimeOffset? FirstPieceAt { get; set; }
}
