namespace Granary.Grains.Storage;

/// <summary>A sector file could not be fetched from another silo: refused, missing, too large, or cut short.</summary>
[GenerateSerializer, Alias("granary.SectorFetchException")]
public sealed class SectorFetchException : SectorStorageException
{
    /// <summary>Creates the exception.</summary>
    public SectorFetchException(string message, bool retryable = false) : base(message) => Retryable = retryable;

    /// <summary>Whether another attempt may succeed (a dropped connection, a server error), as opposed to a refusal.</summary>
    [Id(0)] public bool Retryable { get; private set; }
}
