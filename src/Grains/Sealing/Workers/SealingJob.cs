using Granary.Grains.Storage;

namespace Granary.Grains.Sealing.Workers;

/// <summary>One queued or running task of a silo's pool, as <c>sealing jobs</c> lists it.</summary>
/// <param name="Id">The task's call id (lotus's <c>CallID.ID</c>); <c>sealing abort</c> takes it.</param>
/// <param name="Sector">The sector.</param>
/// <param name="Type">The stage.</param>
/// <param name="SectorSize">The proof type's sector size name (<c>2KiB</c>, <c>32GiB</c>...).</param>
/// <param name="State">Queued, running or cancelling.</param>
/// <param name="QueuePosition">For a queued task, its place in the order the pool would start them (1 = next); 0 when running.</param>
/// <param name="Submitted">When it was submitted.</param>
/// <param name="Started">When it started running, or null while queued.</param>
/// <param name="Stage">The last progress report's stage name, or empty.</param>
/// <param name="Progress">The last progress report's fraction done (0–1).</param>
/// <param name="Resources">What it claims (or will claim) while running.</param>
[GenerateSerializer, Immutable, Alias("granary.SealingJob")]
public sealed record SealingJob(
    [property: Id(0)] Guid Id,
    [property: Id(1)] SectorId Sector,
    [property: Id(2)] SealingTaskType Type,
    [property: Id(3)] string SectorSize,
    [property: Id(4)] SealingJobState State,
    [property: Id(5)] int QueuePosition,
    [property: Id(6)] DateTimeOffset Submitted,
    [property: Id(7)] DateTimeOffset? Started,
    [property: Id(8)] string Stage,
    [property: Id(9)] double Progress,
    [property: Id(10)] TaskResources Resources);
