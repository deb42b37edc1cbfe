namespace Granary.Grains.Sealing.Workers;

/// <summary>Where a task is in its silo's pool.</summary>
public enum SealingJobState
{
    /// <summary>Waiting for resources (lotus's <c>assigned(N)</c>: assigned to this worker, not yet running).</summary>
    Queued,

    /// <summary>On a sealing thread.</summary>
    Running,

    /// <summary>Running, asked to stop; the work has not returned yet.</summary>
    Cancelling,
}
