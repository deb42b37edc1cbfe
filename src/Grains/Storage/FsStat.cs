namespace Granary.Grains.Storage;

/// <summary>
/// A storage path's capacity figures, as lotus's <c>fsutil.FsStat</c>: the filesystem's size and free space,
/// what is reserved for running tasks, and what is left for new sector files.
/// </summary>
/// <param name="Capacity">Bytes in the filesystem holding the path.</param>
/// <param name="Available">Bytes a new task may use: filesystem free space less outstanding reservations, and
/// within <c>MaxStorage</c> when one is set.</param>
/// <param name="FsAvailable">Bytes free in the filesystem.</param>
/// <param name="Reserved">Bytes reserved for running tasks that their files do not occupy yet.</param>
/// <param name="Max">The path's <c>MaxStorage</c> (0 = no limit).</param>
/// <param name="Used">Bytes the path's sector files occupy.</param>
[GenerateSerializer, Immutable, Alias("granary.FsStat")]
public sealed record FsStat(
    [property: Id(0)] long Capacity,
    [property: Id(1)] long Available,
    [property: Id(2)] long FsAvailable,
    [property: Id(3)] long Reserved,
    [property: Id(4)] long Max,
    [property: Id(5)] long Used);
