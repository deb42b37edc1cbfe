namespace Granary.Grains.Storage;

/// <summary>
/// A sector storage request that cannot be met: an unknown or duplicate path, a missing or malformed
/// <c>sectorstore.json</c>, a sector file that is nowhere to be found. The message says what and where.
/// </summary>
[GenerateSerializer, Alias("granary.SectorStorageException")]
public class SectorStorageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SectorStorageException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public SectorStorageException(string message, Exception inner) : base(message, inner)
    {
    }
}

/// <summary>No storage path has room for a task: names the best path, its free bytes and what the task needs.</summary>
[GenerateSerializer, Alias("granary.InsufficientSpaceException")]
public sealed class InsufficientSpaceException : SectorStorageException
{
    /// <summary>Creates the exception for path <paramref name="pathId"/> at <paramref name="where"/>.</summary>
    public InsufficientSpaceException(string pathId, string where, long free, long needed, string task)
        : base($"path {pathId} ({where}) has {free} bytes free, the task needs {needed} ({task})")
    {
        PathId = pathId;
        Free = free;
        Needed = needed;
    }

    /// <summary>The path with the most room, which still has too little.</summary>
    [Id(0)] public string PathId { get; private set; }

    /// <summary>Its free bytes after reservations.</summary>
    [Id(1)] public long Free { get; private set; }

    /// <summary>The bytes the task needs.</summary>
    [Id(2)] public long Needed { get; private set; }
}
