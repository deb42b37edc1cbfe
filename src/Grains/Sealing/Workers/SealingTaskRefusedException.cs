namespace Granary.Grains.Sealing.Workers;

/// <summary>
/// A task was refused at submission: it claims more than this silo's pool has in total (so it could never
/// start), or the pool is stopping. Raise the silo's <c>[Sealing]</c> capacity, lower the task type's
/// claim, or seal that sector size on a bigger silo.
/// </summary>
[GenerateSerializer, Alias("granary.SealingTaskRefusedException")]
public sealed class SealingTaskRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SealingTaskRefusedException(string message) : base(message)
    {
    }
}
