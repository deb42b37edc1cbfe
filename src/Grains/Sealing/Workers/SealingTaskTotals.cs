namespace Granary.Grains.Sealing.Workers;

/// <summary>Counts for one task type on one silo since it started.</summary>
/// <param name="Type">The task type.</param>
/// <param name="Running">Running now.</param>
/// <param name="Queued">Waiting now.</param>
/// <param name="Completed">Finished with a result.</param>
/// <param name="Failed">Finished with an exception.</param>
/// <param name="Cancelled">Cancelled, queued or running.</param>
/// <param name="Busy">Total time tasks of this type spent running.</param>
[GenerateSerializer, Immutable, Alias("granary.SealingTaskTotals")]
public sealed record SealingTaskTotals(
    [property: Id(0)] SealingTaskType Type,
    [property: Id(1)] int Running,
    [property: Id(2)] int Queued,
    [property: Id(3)] long Completed,
    [property: Id(4)] long Failed,
    [property: Id(5)] long Cancelled,
    [property: Id(6)] TimeSpan Busy);
